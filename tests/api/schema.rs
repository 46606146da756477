//! The committed schema is the contract clients build against.

#[test]
fn schema_graphql_matches_the_code() {
    let committed = include_str!("../../schema.graphql");
    let generated = hamkor::sdl();
    assert!(
        committed == generated,
        "schema.graphql is out of date: run `cargo run -- export-schema > schema.graphql`"
    );
}
