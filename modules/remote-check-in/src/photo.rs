//! A check-in photo as it is accepted: JPEG or PNG, at most 5 MB, one that actually
//! decodes, re-encoded before it is stored so that nothing but the pixels survives
//! (EXIF, and the GPS position in it, are dropped). Pure: no I/O.

use std::io::Cursor;

use hamkor_api::error::{ApiError, ApiResult};
use image::{ImageFormat, ImageReader};

/// Largest photo accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest side, in pixels (a bigger image is refused rather than decoded).
pub const MAX_SIDE: u32 = 8_000;

/// Code of a photo over [`MAX_BYTES`].
pub const TOO_LARGE: &str = "PHOTO_TOO_LARGE";
/// Code of anything that is not a JPEG or PNG that decodes.
pub const NOT_AN_IMAGE: &str = "PHOTO_NOT_AN_IMAGE";

/// A photo ready to store.
#[derive(Debug, Clone)]
pub struct Clean {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
}

/// Check and re-encode an uploaded photo.
pub fn clean(raw: &[u8]) -> ApiResult<Clean> {
    if raw.len() > MAX_BYTES {
        return Err(ApiError::refused(
            TOO_LARGE,
            format!(
                "the photo is {} bytes; at most {MAX_BYTES} are accepted",
                raw.len()
            ),
        ));
    }
    let not_image = || ApiError::refused(NOT_AN_IMAGE, "the photo must be a JPEG or PNG image that opens");
    let format = image::guess_format(raw).map_err(|_| not_image())?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png) {
        return Err(not_image());
    }
    let mut reader = ImageReader::with_format(Cursor::new(raw), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| not_image())?;
    let mut out = Cursor::new(Vec::with_capacity(raw.len()));
    let (content_type, extension) = match format {
        ImageFormat::Png => {
            img.write_to(&mut out, ImageFormat::Png)
                .map_err(|e| ApiError::internal("re-encoding a photo", e))?;
            ("image/png", "png")
        }
        _ => {
            let rgb = img.to_rgb8();
            let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
            enc.encode_image(&rgb)
                .map_err(|e| ApiError::internal("re-encoding a photo", e))?;
            ("image/jpeg", "jpg")
        }
    };
    Ok(Clean {
        bytes: out.into_inner(),
        content_type,
        extension,
    })
}

/// A small JPEG with an EXIF segment carrying a GPS tag (for tests and the benchmark).
pub fn sample_jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, ((x ^ y) % 256) as u8])
    });
    let mut plain = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut plain, ImageFormat::Jpeg)
        .expect("encodes");
    let plain = plain.into_inner();
    let mut payload = b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude 41.2995 N GPSLongitude 69.2401 E".to_vec();
    payload.resize(80, 0);
    let len = (payload.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A JPEG of at least `min_bytes` (the benchmark's selfie): seeded noise, so that the
/// encoder cannot shrink it, at 4:3, grown until it is large enough.
pub fn noisy_jpeg(min_bytes: usize, seed: u64) -> Vec<u8> {
    use rand::{Rng, SeedableRng};
    let mut width = 320u32;
    loop {
        let height = width * 3 / 4;
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let img = image::RgbImage::from_fn(width, height, |_, _| image::Rgb(rng.random::<[u8; 3]>()));
        let mut out = Cursor::new(Vec::new());
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        if enc.encode_image(&img).is_err() {
            return Vec::new();
        }
        let out = out.into_inner();
        if out.len() >= min_bytes || width >= 4000 {
            return out;
        }
        width += width / 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with_gps() -> Vec<u8> {
        sample_jpeg_with_gps(64, 48)
    }

    #[test]
    fn exif_and_its_gps_are_gone_after_cleaning() {
        let raw = jpeg_with_gps();
        assert!(raw.windows(4).any(|w| w == b"Exif"));
        let c = clean(&raw).expect("a JPEG");
        assert_eq!(c.content_type, "image/jpeg");
        assert!(!c.bytes.windows(4).any(|w| w == b"Exif"));
        assert!(!c.bytes.windows(3).any(|w| w == b"GPS"));
    }

    #[test]
    fn the_benchmark_photo_is_a_real_jpeg_of_about_the_size_asked() {
        let raw = noisy_jpeg(300_000, 1);
        assert!((300_000..400_000).contains(&raw.len()), "{}", raw.len());
        let c = clean(&raw).expect("a JPEG");
        assert!(
            c.bytes.len() > 200_000,
            "noise survives re-encoding: {}",
            c.bytes.len()
        );
    }

    #[test]
    fn too_large_or_not_an_image_is_refused_with_its_code() {
        assert_eq!(
            clean(&vec![0u8; MAX_BYTES + 1]).expect_err("large").code(),
            TOO_LARGE
        );
        assert_eq!(clean(b"%PDF-1.7 hello").expect_err("pdf").code(), NOT_AN_IMAGE);
        let mut broken = jpeg_with_gps();
        broken.truncate(120);
        assert_eq!(clean(&broken).expect_err("truncated").code(), NOT_AN_IMAGE);
    }
}
