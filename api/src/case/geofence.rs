//! Geometry on a case's conditions: a curfew's home zone, an area to stay within, a zone
//! to stay out of (around a victim's address, say), as a circle (centre and radius in
//! metres) or a GeoJSON polygon. Parsed and validated once here; judged with the `geo`
//! crate, in metres on a local projection around the zone (zones are a few kilometres
//! across at most, where the projection's error is far below a GPS fix's accuracy).
//!
//! Times of a case are judged in its local time zone ([`CASE_TZ`]).

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use geo::{Area, Contains, Coord, Distance, Euclidean, Haversine, LineString, Point, Polygon, Validation};
use serde_json::{Value as Json, json};

use crate::error::{ApiError, ApiResult};

/// The time zone a case's curfew is read in (Uzbekistan has one, without daylight saving).
pub const CASE_TZ: Tz = chrono_tz::Asia::Tashkent;

/// The wall-clock time of `at` in the case's time zone.
pub fn local_time(at: DateTime<Utc>) -> NaiveTime {
    at.with_timezone(&CASE_TZ).time()
}

/// Smallest and largest circle radius, in metres.
pub const RADIUS_M: (f64, f64) = (20.0, 50_000.0);
/// Most vertices of a polygon (all rings together).
pub const MAX_VERTICES: usize = 500;
/// Largest polygon, in square kilometres (a whole region at most).
pub const MAX_AREA_KM2: f64 = 50_000.0;
/// Smallest polygon, in square metres (anything smaller is a typing error).
pub const MIN_AREA_M2: f64 = 100.0;
/// The box around Uzbekistan (and a margin): a zone outside it is a swapped or mistyped
/// coordinate. (min lat, max lat, min lon, max lon).
pub const UZ_BOUNDS: (f64, f64, f64, f64) = (37.0, 46.0, 55.5, 74.0);

/// A zone on the map.
#[derive(Debug, Clone, PartialEq)]
pub enum Geofence {
    Circle { centre: Point<f64>, radius_m: f64 },
    Polygon(Polygon<f64>),
}

fn plausible(field: &str, lat: f64, lon: f64) -> ApiResult<()> {
    let (lat0, lat1, lon0, lon1) = UZ_BOUNDS;
    if !(lat.is_finite() && lon.is_finite() && (lat0..=lat1).contains(&lat) && (lon0..=lon1).contains(&lon)) {
        return Err(ApiError::bad_input(
            field,
            format!(
                "({lat}, {lon}) is not a place in Uzbekistan (latitude {lat0}..{lat1}, longitude {lon0}..{lon1})"
            ),
        ));
    }
    Ok(())
}

/// Metres per degree at latitude `lat` (east, north): a local equirectangular projection.
fn scale(lat: f64) -> (f64, f64) {
    (111_320.0 * lat.to_radians().cos(), 110_574.0)
}

impl Geofence {
    /// A circle around (`lat`, `lon`).
    pub fn circle(field: &str, lat: f64, lon: f64, radius_m: f64) -> ApiResult<Self> {
        plausible(&format!("{field}.lat"), lat, lon)?;
        if !radius_m.is_finite() || radius_m < RADIUS_M.0 || radius_m > RADIUS_M.1 {
            return Err(ApiError::bad_input(
                format!("{field}.radiusM"),
                format!("must be between {} and {} metres", RADIUS_M.0, RADIUS_M.1),
            ));
        }
        Ok(Self::Circle {
            centre: Point::new(lon, lat),
            radius_m,
        })
    }

    /// A GeoJSON `Polygon` (`{"type": "Polygon", "coordinates": [[[lon, lat], …]]}`):
    /// closed rings, no self-intersection, holes inside the shell, in Uzbekistan, of a
    /// plausible size.
    pub fn polygon(field: &str, geojson: &Json) -> ApiResult<Self> {
        let bad = |msg: &str| ApiError::bad_input(field, msg.to_owned());
        if geojson.get("type").and_then(Json::as_str) != Some("Polygon") {
            return Err(bad("must be a GeoJSON object of type \"Polygon\""));
        }
        let rings = geojson
            .get("coordinates")
            .and_then(Json::as_array)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| bad("coordinates: an array of linear rings"))?;
        let mut parsed = Vec::with_capacity(rings.len());
        let mut vertices = 0;
        for (i, ring) in rings.iter().enumerate() {
            let points = ring
                .as_array()
                .ok_or_else(|| bad("coordinates: each ring is an array of positions"))?;
            vertices += points.len();
            if vertices > MAX_VERTICES {
                return Err(bad(&format!("at most {MAX_VERTICES} positions")));
            }
            let mut coords = Vec::with_capacity(points.len());
            for pos in points {
                let (lon, lat) = match pos.as_array().map(Vec::as_slice) {
                    Some([lon, lat, ..]) => (lon.as_f64(), lat.as_f64()),
                    _ => (None, None),
                };
                let (Some(lon), Some(lat)) = (lon, lat) else {
                    return Err(bad("coordinates: each position is [longitude, latitude]"));
                };
                plausible(field, lat, lon)?;
                coords.push(Coord { x: lon, y: lat });
            }
            if coords.len() < 4 {
                return Err(bad(&format!("ring {i}: a linear ring has at least 4 positions")));
            }
            if coords.first() != coords.last() {
                return Err(bad(&format!(
                    "ring {i} is not closed: its last position must repeat its first"
                )));
            }
            parsed.push(LineString::new(coords));
        }
        let shell = parsed.remove(0);
        let polygon = Polygon::new(shell, parsed);
        if let Err(e) = polygon.check_validation() {
            return Err(bad(&format!("not a valid polygon: {e}")));
        }
        let area = project(&polygon, polygon.exterior().0[0].y).unsigned_area();
        if area < MIN_AREA_M2 {
            return Err(bad(&format!("smaller than {MIN_AREA_M2} square metres")));
        }
        if area > MAX_AREA_KM2 * 1e6 {
            return Err(bad(&format!("larger than {MAX_AREA_KM2} square kilometres")));
        }
        Ok(Self::Polygon(polygon))
    }

    /// Read back what [`Geofence::to_json`] stored (already validated when written).
    pub fn from_stored(raw: &Json) -> Option<Self> {
        match raw.get("type").and_then(Json::as_str)? {
            "Circle" => {
                let c = raw.get("coordinates")?.as_array()?;
                let (lon, lat) = (c.first()?.as_f64()?, c.get(1)?.as_f64()?);
                Some(Self::Circle {
                    centre: Point::new(lon, lat),
                    radius_m: raw.get("radiusM")?.as_f64()?,
                })
            }
            "Polygon" => Self::polygon("stored", raw).ok(),
            _ => None,
        }
    }

    /// GeoJSON: a `Polygon`, or a circle as `{"type": "Circle", "coordinates": [lon, lat],
    /// "radiusM": r}` (the common extension: GeoJSON has no circle).
    pub fn to_json(&self) -> Json {
        match self {
            Self::Circle { centre, radius_m } => {
                json!({"type": "Circle", "coordinates": [centre.x(), centre.y()], "radiusM": radius_m})
            }
            Self::Polygon(p) => {
                let ring = |l: &LineString<f64>| l.0.iter().map(|c| json!([c.x, c.y])).collect::<Vec<_>>();
                let mut rings = vec![ring(p.exterior())];
                rings.extend(p.interiors().iter().map(ring));
                json!({"type": "Polygon", "coordinates": rings})
            }
        }
    }

    /// How far (`lat`, `lon`) lies outside the zone, in metres: positive outside, negative
    /// inside (the distance to the edge).
    pub fn signed_distance_m(&self, lat: f64, lon: f64) -> f64 {
        match self {
            Self::Circle { centre, radius_m } => Haversine.distance(*centre, Point::new(lon, lat)) - radius_m,
            Self::Polygon(poly) => {
                let origin = poly.exterior().0[0].y;
                let local = project(poly, origin);
                let (sx, sy) = scale(origin);
                let p = Point::new(lon * sx, lat * sy);
                let to_edge = local
                    .exterior()
                    .lines()
                    .chain(local.interiors().iter().flat_map(|r| r.lines()))
                    .map(|l| Euclidean.distance(&p, &l))
                    .fold(f64::INFINITY, f64::min);
                if local.contains(&p) { -to_edge } else { to_edge }
            }
        }
    }

    /// Where a fix with `accuracy_m` stands: surely inside, surely outside, or its
    /// accuracy circle straddles the edge (which judges nothing).
    pub fn locate(&self, lat: f64, lon: f64, accuracy_m: f64) -> Located {
        let d = self.signed_distance_m(lat, lon);
        let acc = accuracy_m.max(0.0);
        if d > acc {
            Located::Outside
        } else if d < -acc {
            Located::Inside
        } else {
            Located::Uncertain
        }
    }
}

/// Where a fix stands against a zone, its accuracy counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Located {
    Inside,
    Outside,
    Uncertain,
}

fn project(poly: &Polygon<f64>, origin_lat: f64) -> Polygon<f64> {
    let (sx, sy) = scale(origin_lat);
    let ring = |l: &LineString<f64>| {
        LineString::new(
            l.0.iter()
                .map(|c| Coord {
                    x: c.x * sx,
                    y: c.y * sy,
                })
                .collect(),
        )
    };
    Polygon::new(ring(poly.exterior()), poly.interiors().iter().map(ring).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    // A square of about 220 m around a house in Tashkent's Chilonzor district.
    fn square() -> Json {
        json!({"type": "Polygon", "coordinates": [[[69.200, 41.280], [69.202, 41.280], [69.202, 41.282], [69.200, 41.282], [69.200, 41.280]]]})
    }

    #[test]
    fn a_polygon_contains_its_middle_and_not_a_far_point() {
        let g = Geofence::polygon("g", &square()).expect("valid");
        assert_eq!(g.locate(41.281, 69.201, 10.0), Located::Inside);
        assert_eq!(g.locate(41.290, 69.201, 10.0), Located::Outside);
        let d = g.signed_distance_m(41.290, 69.201);
        assert!((850.0..950.0).contains(&d), "{d}");
    }

    #[test]
    fn a_fix_whose_accuracy_straddles_the_edge_is_uncertain() {
        let g = Geofence::circle("g", 41.281, 69.201, 100.0).expect("valid");
        // About 120 m north of the centre: 20 m outside.
        assert_eq!(g.locate(41.28208, 69.201, 50.0), Located::Uncertain);
        assert_eq!(g.locate(41.28208, 69.201, 5.0), Located::Outside);
        assert_eq!(g.locate(41.281, 69.201, 50.0), Located::Inside);
    }

    #[test]
    fn an_open_ring_is_refused() {
        let open = json!({"type": "Polygon", "coordinates": [[[69.200, 41.280], [69.202, 41.280], [69.202, 41.282], [69.200, 41.282]]]});
        let e = Geofence::polygon("g", &open).expect_err("refused");
        assert!(format!("{e:?}").contains("not closed"), "{e:?}");
    }

    #[test]
    fn a_self_intersecting_ring_is_refused() {
        let bowtie = json!({"type": "Polygon", "coordinates": [[[69.200, 41.280], [69.202, 41.282], [69.202, 41.280], [69.200, 41.282], [69.200, 41.280]]]});
        assert!(Geofence::polygon("g", &bowtie).is_err());
    }

    #[test]
    fn coordinates_outside_uzbekistan_are_refused() {
        // Latitude and longitude swapped.
        assert!(Geofence::circle("g", 69.2, 41.28, 100.0).is_err());
        assert!(Geofence::circle("g", 51.5, -0.1, 100.0).is_err());
    }

    #[test]
    fn sizes_are_bounded() {
        assert!(Geofence::circle("g", 41.28, 69.2, 5.0).is_err());
        assert!(Geofence::circle("g", 41.28, 69.2, 80_000.0).is_err());
        let tiny = json!({"type": "Polygon", "coordinates": [[[69.2, 41.28], [69.20001, 41.28], [69.20001, 41.28001], [69.2, 41.28]]]});
        assert!(Geofence::polygon("g", &tiny).is_err());
    }

    #[test]
    fn a_stored_zone_reads_back_the_same() {
        for g in [
            Geofence::circle("g", 41.28, 69.2, 150.0).expect("valid"),
            Geofence::polygon("g", &square()).expect("valid"),
        ] {
            assert_eq!(Geofence::from_stored(&g.to_json()), Some(g));
        }
    }

    #[test]
    fn local_time_is_tashkent_time() {
        let at: DateTime<Utc> = "2026-12-07T18:10:00Z".parse().expect("time");
        assert_eq!(local_time(at), NaiveTime::from_hms_opt(23, 10, 0).expect("t"));
    }
}
