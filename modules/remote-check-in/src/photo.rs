//! A check-in photo as it is accepted: JPEG or PNG, at most 5 MB, one that actually
//! decodes, with nothing but the pixels kept. Metadata is removed from the original
//! bytes without re-encoding. In a JPEG: every APPn segment (EXIF with its GPS
//! position, XMP, ICC, maker notes) but the JFIF header and Adobe's colour transform,
//! comments, and anything after the end of the image (multi-picture trailers carry a
//! second image with its own EXIF). In a PNG: every chunk but those that say how to
//! draw the pixels. That is lossless and costs a fraction of a decode and encode; the
//! stored bytes are then decoded once, so what is kept is an image that opens. Pure:
//! no I/O.

use std::io::Cursor;

use hamkor_api::error::{ApiError, ApiResult};
use image::{ImageFormat, ImageReader};
use img_parts::Bytes;
use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::png::Png;

/// Largest photo accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest side, in pixels (a bigger image is refused rather than decoded).
pub const MAX_SIDE: u32 = 8_000;

/// Code of a photo over [`MAX_BYTES`].
pub const TOO_LARGE: &str = "PHOTO_TOO_LARGE";
/// Code of anything that is not a JPEG or PNG that decodes.
pub const NOT_AN_IMAGE: &str = "PHOTO_NOT_AN_IMAGE";

/// The PNG chunks kept: the critical ones and those that change how pixels look.
const PNG_KEPT: [&[u8; 4]; 9] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT",
];

/// A photo ready to store.
#[derive(Debug, Clone)]
pub struct Clean {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
}

/// Check an uploaded photo and strip everything from it but the pixels.
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
    let format = image::guess_format(raw).map_err(|_| not_image())?;
    let (bytes, content_type, extension) = match format {
        ImageFormat::Jpeg => (strip_jpeg(raw).ok_or_else(not_image)?, "image/jpeg", "jpg"),
        ImageFormat::Png => (strip_png(raw).ok_or_else(not_image)?, "image/png", "png"),
        _ => return Err(not_image()),
    };
    let mut reader = ImageReader::with_format(Cursor::new(&bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|_| not_image())?;
    Ok(Clean {
        bytes,
        content_type,
        extension,
    })
}

fn not_image() -> ApiError {
    ApiError::refused(NOT_AN_IMAGE, "the photo must be a JPEG or PNG image that opens")
}

/// Whether a JPEG segment is kept: not an application segment and not a comment, but
/// for the JFIF header (pixel density; it says the colours are YCbCr) and Adobe's colour
/// transform (needed to read CMYK and YCCK right).
fn jpeg_segment_kept(marker: u8, contents: &[u8]) -> bool {
    match marker {
        markers::APP0 => contents.starts_with(b"JFIF\0"),
        markers::APP14 => contents.starts_with(b"Adobe"),
        m if (markers::APP0..=markers::APP15).contains(&m) => false,
        markers::COM => false,
        _ => true,
    }
}

/// The JPEG without metadata, or None when its structure is broken.
fn strip_jpeg(raw: &[u8]) -> Option<Vec<u8>> {
    let mut jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(raw)).ok()?;
    jpeg.segments_mut()
        .retain(|s| jpeg_segment_kept(s.marker(), s.contents()));
    // The parser keeps everything after the first scan's header as that scan's data:
    // later scans of a progressive JPEG, segments between them, and whatever follows
    // the end of the image. It is the tail of the file; walk it.
    let scan = jpeg.segments_mut().pop().filter(|s| s.marker() == markers::SOS)?;
    let tail = scan.len_with_entropy() - scan.len();
    let data = strip_scans(&raw[raw.len() - tail..])?;
    jpeg.segments_mut().push(JpegSegment::new_with_entropy(
        markers::SOS,
        scan.contents().clone(),
        Bytes::from(data),
    ));
    Some(jpeg.encoder().bytes().to_vec())
}

/// The scans' data up to and including the end-of-image marker, without application
/// segments and comments between scans, and without anything after the end. None when
/// a segment runs past the end or the image never ends.
fn strip_scans(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 1 < data.len() {
        if data[i] != markers::P {
            i += 1;
            continue;
        }
        let marker = data[i + 1];
        match marker {
            // A stuffed 0xFF byte, fill, or a restart marker: part of the scan.
            markers::Z | markers::P | markers::RST0..=markers::RST7 => {
                i += if marker == markers::P { 1 } else { 2 }
            }
            markers::EOI => {
                out.extend_from_slice(&data[copied..i + 2]);
                return Some(out);
            }
            _ => {
                let len = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
                let end = i + 2 + len;
                if len < 2 || end > data.len() {
                    return None;
                }
                if !jpeg_segment_kept(marker, &data[i + 4..end]) {
                    out.extend_from_slice(&data[copied..i]);
                    copied = end;
                }
                i = end;
            }
        }
    }
    None
}

/// The PNG without metadata chunks (text, EXIF, time, ICC profile, …), or None when
/// its structure is broken.
fn strip_png(raw: &[u8]) -> Option<Vec<u8>> {
    let mut png = Png::from_bytes(Bytes::copy_from_slice(raw)).ok()?;
    png.chunks_mut()
        .retain(|c| PNG_KEPT.iter().any(|k| **k == c.kind()));
    Some(png.encoder().bytes().to_vec())
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

    fn pixels(bytes: &[u8]) -> Vec<u8> {
        image::load_from_memory(bytes)
            .expect("decodes")
            .to_rgb8()
            .into_raw()
    }

    fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((contents.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(contents);
        s
    }

    #[test]
    fn a_jpeg_without_metadata_is_kept_byte_for_byte() {
        let mut plain = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(40, 30, |x, y| {
            image::Rgb([x as u8 * 5, y as u8 * 7, 90])
        }))
        .write_to(&mut plain, ImageFormat::Jpeg)
        .expect("encodes");
        let plain = plain.into_inner();
        assert_eq!(clean(&plain).expect("a JPEG").bytes, plain);
    }

    #[test]
    fn cleaning_a_jpeg_is_lossless() {
        let raw = jpeg_with_gps();
        let c = clean(&raw).expect("a JPEG");
        assert_eq!(pixels(&c.bytes), pixels(&raw));
        assert!(c.bytes.len() < raw.len());
    }

    #[test]
    fn metadata_between_scans_and_after_the_end_is_gone() {
        let raw = jpeg_with_gps();
        let end = raw.len() - 2;
        assert_eq!(&raw[end..], &[0xFF, 0xD9]);
        // An XMP segment and a comment after the scan, then a trailer after the end of
        // the image (as multi-picture JPEGs carry a second image with its own EXIF).
        let mut odd = raw[..end].to_vec();
        odd.extend(segment(
            0xE1,
            b"http://ns.adobe.com/xap/1.0/\0<GPSLatitude>41.3</GPSLatitude>",
        ));
        odd.extend(segment(0xFE, b"GPS 41.2995 N"));
        odd.extend_from_slice(&[0xFF, 0xD9]);
        odd.extend_from_slice(&raw);
        let c = clean(&odd).expect("a JPEG");
        assert!(!c.bytes.windows(3).any(|w| w == b"GPS"), "metadata survived");
        assert_eq!(c.bytes, clean(&raw).expect("a JPEG").bytes);
    }

    #[test]
    fn a_png_keeps_its_pixels_and_loses_its_text() {
        let img = image::RgbaImage::from_fn(20, 10, |x, y| image::Rgba([x as u8 * 9, y as u8 * 20, 7, 200]));
        let mut plain = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgba8(img)
            .write_to(&mut plain, ImageFormat::Png)
            .expect("encodes");
        let plain = plain.into_inner();
        // A tEXt chunk after IHDR (8-byte signature, 25-byte IHDR).
        let text = b"Comment\0GPS 41.2995 N 69.2401 E";
        let mut chunk = (text.len() as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(b"tEXt");
        chunk.extend_from_slice(text);
        let mut crc = crc32(b"tEXt", text).to_be_bytes().to_vec();
        chunk.append(&mut crc);
        let mut raw = plain[..33].to_vec();
        raw.extend(chunk);
        raw.extend_from_slice(&plain[33..]);
        assert_eq!(pixels(&raw), pixels(&plain));
        let c = clean(&raw).expect("a PNG");
        assert_eq!(c.content_type, "image/png");
        assert!(!c.bytes.windows(3).any(|w| w == b"GPS"));
        assert_eq!(pixels(&c.bytes), pixels(&plain));
    }

    /// The CRC of a PNG chunk (ISO 3309), for building one in a test.
    fn crc32(kind: &[u8], data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in kind.iter().chain(data) {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_jpeg_that_never_ends_or_whose_segment_overruns_is_refused() {
        let raw = jpeg_with_gps();
        let cut = &raw[..raw.len() - 2];
        assert_eq!(clean(cut).expect_err("no end").code(), NOT_AN_IMAGE);
        let mut overrun = raw[..raw.len() - 2].to_vec();
        overrun.extend_from_slice(&[0xFF, 0xFE, 0x40, 0x00, b'x']);
        assert_eq!(clean(&overrun).expect_err("overrun").code(), NOT_AN_IMAGE);
    }

    #[test]
    fn the_benchmark_photo_is_a_real_jpeg_of_about_the_size_asked() {
        let raw = noisy_jpeg(300_000, 1);
        assert!((300_000..400_000).contains(&raw.len()), "{}", raw.len());
        let c = clean(&raw).expect("a JPEG");
        assert_eq!(c.bytes, raw, "a photo without metadata is stored as sent");
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
