//! The committed schema is the contract clients build against.

// The committed schema is that of the default build, with every module compiled in.
#[cfg(all(feature = "education", feature = "employment", feature = "psych_support"))]
#[test]
fn schema_graphql_matches_the_code() {
    let committed = include_str!("../../schema.graphql");
    let generated = hamkor::sdl();
    assert!(
        committed == generated,
        "schema.graphql is out of date: run `cargo run -- export-schema > schema.graphql`"
    );
}
