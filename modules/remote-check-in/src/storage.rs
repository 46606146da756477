//! Where photos live: an object store, never the database. A local directory by default
//! (`HAMKOR_OBJECT_STORE_DIR`, else `data/remote-check-in` under the working
//! directory); S3-compatible storage when `HAMKOR_OBJECT_STORE_URL` names it:
//! `s3://bucket[/prefix][?endpoint=http://host:port&region=…&allow_http=true]`, with the
//! credentials from the usual `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.

use std::str::FromStr;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// A photo store.
#[derive(Clone, Debug)]
pub struct PhotoStore {
    inner: Arc<dyn ObjectStore>,
    prefix: String,
    /// `local` or `s3`, for the log.
    pub kind: &'static str,
}

impl PhotoStore {
    /// A directory on local disk (created if missing).
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            inner: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
            prefix: String::new(),
            kind: "local",
        })
    }

    /// A store named by a URL: `s3://bucket/prefix?endpoint=…&region=…&allow_http=true`,
    /// or `file:///a/directory`.
    pub fn from_url(raw: &str) -> anyhow::Result<Self> {
        let url = url::Url::parse(raw)?;
        match url.scheme() {
            "file" => Self::local(std::path::Path::new(url.path())),
            "s3" => {
                // The HTTP client needs a process-wide TLS provider; the first one set wins.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let bucket = url
                    .host_str()
                    .ok_or_else(|| anyhow::anyhow!("the URL names no bucket"))?;
                let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
                for (k, v) in url.query_pairs() {
                    let key = match k.as_ref() {
                        "endpoint" => AmazonS3ConfigKey::Endpoint,
                        "region" => AmazonS3ConfigKey::Region,
                        "allow_http" => {
                            b = b.with_allow_http(v == "true");
                            continue;
                        }
                        other => AmazonS3ConfigKey::from_str(other)
                            .map_err(|e| anyhow::anyhow!("object store option {other}: {e}"))?,
                    };
                    b = b.with_config(key, v.as_ref());
                }
                Ok(Self {
                    inner: Arc::new(b.build()?),
                    prefix: url.path().trim_matches('/').to_owned(),
                    kind: "s3",
                })
            }
            other => anyhow::bail!("object store URL scheme {other}: use s3:// or file://"),
        }
    }

    fn path(&self, key: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(key)
        } else {
            Path::from(format!("{}/{key}", self.prefix))
        }
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.inner
            .put(&self.path(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        match self.inner.get(&self.path(key)).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        match self.inner.head(&self.path(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Remove an object; one already gone is not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.inner.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

static INSTALLED: RwLock<Option<PhotoStore>> = RwLock::new(None);

/// Use `store` from now on (tests install a temporary directory).
pub fn install(store: PhotoStore) {
    if let Ok(mut slot) = INSTALLED.write() {
        *slot = Some(store);
    }
}

/// The store installed so far, if any.
pub fn current_if_installed() -> Option<PhotoStore> {
    INSTALLED.read().ok().and_then(|s| s.clone())
}

/// The configured store (see the module's documentation).
pub fn current() -> anyhow::Result<PhotoStore> {
    if let Some(s) = INSTALLED.read().ok().and_then(|s| s.clone()) {
        return Ok(s);
    }
    let store = match std::env::var("HAMKOR_OBJECT_STORE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(url) => PhotoStore::from_url(&url)?,
        None => {
            let dir =
                std::env::var("HAMKOR_OBJECT_STORE_DIR").unwrap_or_else(|_| "data/remote-check-in".into());
            PhotoStore::local(std::path::Path::new(&dir))?
        }
    };
    install(store.clone());
    Ok(store)
}
