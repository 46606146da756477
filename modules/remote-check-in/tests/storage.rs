//! The photo store on a local directory, and on S3-compatible storage when
//! `HAMKOR_TEST_S3_URL` names one (CI starts moto's server mode and creates the bucket;
//! without it the S3 half says it was skipped): a cleaned photo goes in, reads back
//! without its EXIF, and the retention's delete leaves nothing behind.

use hamkor_remote_check_in::photo::{clean, sample_jpeg_with_gps};
use hamkor_remote_check_in::storage::PhotoStore;

async fn round_trip(store: &PhotoStore) {
    let key = format!("check-ins/1/{}.jpg", uuid_like());
    let photo = clean(&sample_jpeg_with_gps(320, 240)).expect("a photo");
    store.put(&key, photo.bytes.clone().into()).await.expect("put");
    assert!(store.exists(&key).await.expect("head"));
    let back = store.get(&key).await.expect("get").expect("stored");
    assert_eq!(back.as_ref(), photo.bytes.as_slice());
    assert!(!back.windows(4).any(|w| w == b"Exif"));
    store.delete(&key).await.expect("delete");
    assert!(!store.exists(&key).await.expect("head"));
    assert!(store.get(&key).await.expect("get").is_none());
    store.delete(&key).await.expect("deleting twice is fine");
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

#[tokio::test]
async fn photos_round_trip_and_are_removed_on_a_local_directory() {
    let dir = tempfile::tempdir().expect("dir");
    round_trip(&PhotoStore::local(dir.path()).expect("store")).await;
    let by_url = PhotoStore::from_url(&format!("file://{}", dir.path().display())).expect("file URL");
    round_trip(&by_url).await;
}

#[tokio::test]
async fn photos_round_trip_and_are_removed_on_s3_compatible_storage() {
    let Some(url) = std::env::var("HAMKOR_TEST_S3_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("skipped: HAMKOR_TEST_S3_URL is not set (no S3-compatible server)");
        return;
    };
    let store = PhotoStore::from_url(&url).expect("an S3 store");
    assert_eq!(store.kind, "s3");
    round_trip(&store).await;
}
