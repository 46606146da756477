//! What the benchmark binaries share: timing one GraphQL request over many runs and
//! summarising the times.

use std::time::{Duration, Instant};

use async_graphql::Request;

use crate::HamkorSchema;

/// Not generic (`make` is a trait object, the request runs through [`crate::execute`]):
/// the benchmark binaries compile none of the schema's code again.
///
/// Run the request `make` builds `warmups + iterations` times and keep the times of the
/// last `iterations`; also returns the data of the first run, for a sanity check. Any
/// error fails the benchmark, named `name`.
pub async fn time(
    schema: &HamkorSchema,
    name: &str,
    warmups: usize,
    iterations: usize,
    make: &mut dyn FnMut() -> Request,
) -> anyhow::Result<(Timings, serde_json::Value)> {
    let mut times = Vec::with_capacity(iterations);
    let mut first = serde_json::Value::Null;
    for i in 0..warmups + iterations {
        let req = make();
        let started = Instant::now();
        let resp = crate::execute(schema, req).await;
        let took = started.elapsed();
        if !resp.errors.is_empty() {
            anyhow::bail!("{name}: {:?}", resp.errors);
        }
        if i == 0 {
            first = resp.data.into_json()?;
        }
        if i >= warmups {
            times.push(took);
        }
    }
    times.sort();
    Ok((Timings(times), first))
}

/// Sorted run times.
pub struct Timings(Vec<Duration>);

impl Timings {
    /// The `p` quantile (0 to 1), in milliseconds.
    pub fn ms(&self, p: f64) -> f64 {
        let Some(last) = self.0.len().checked_sub(1) else {
            return 0.0;
        };
        self.0[(last as f64 * p).round() as usize].as_secs_f64() * 1000.0
    }

    /// The slowest run, in milliseconds.
    pub fn max_ms(&self) -> f64 {
        self.ms(1.0)
    }
}
