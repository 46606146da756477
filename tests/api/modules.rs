//! The module host: catalogue, availability, per-organisation enablement with validated
//! config, and what a caller of an organisation with a module switched off sees.

// Each module's own end-to-end tests, compiled with its feature.
#[cfg(feature = "education")]
mod education;
#[cfg(feature = "electronic_monitoring")]
mod electronic_monitoring;
#[cfg(feature = "employment")]
mod employment;
#[cfg(feature = "psych_support")]
mod psych_support;
#[cfg(feature = "remote_check_in")]
mod remote_check_in;
#[cfg(feature = "training")]
mod training;

use serde_json::{Value, json};

use crate::helpers::{TestApp, s, spawn_app};
use crate::world::{World, create_org, create_user, world};

/// Two partner organisations and their people, on top of the world.
pub struct Partners {
    /// The world's employment centre: its admin and staff (`w.partner`).
    pub employment_admin: String,
    pub ngo: String,
    pub ngo_admin: String,
    pub ngo_staff: String,
}

pub async fn partners(app: &TestApp, w: &World) -> Partners {
    let (_, employment_admin) = create_user(
        app,
        &w.admin,
        &w.employment,
        "employment.admin",
        &["ORG_ADMIN"],
        &[],
    )
    .await;
    let ngo = create_org(app, &w.admin, "Oila NGO", "NGO", Some(&w.district)).await;
    let (_, ngo_admin) = create_user(app, &w.admin, &ngo, "ngo.admin", &["ORG_ADMIN"], &[]).await;
    let (_, ngo_staff) = create_user(app, &w.admin, &ngo, "ngo.staff", &["PARTNER_STAFF"], &[]).await;
    Partners {
        employment_admin,
        ngo,
        ngo_admin,
        ngo_staff,
    }
}

const CONFIGURE: &str = "mutation($i: ConfigureModuleInput!) {
    configureModule(input: $i) { id enabled available config } }";

/// Switch the probe on or off for the caller's organisation.
pub async fn set_probe(app: &TestApp, org_admin: &str, enabled: bool, config: Option<Value>) -> Value {
    let mut input = json!({"moduleId": "probe", "enabled": enabled});
    if let Some(c) = config {
        input["config"] = c;
    }
    let r = app.gql(Some(org_admin), CONFIGURE, json!({"i": input})).await;
    r.ok()["configureModule"].clone()
}

const HAS_PROBE_FIELD: &str =
    "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }";

/// The probe's entry of a `modules` answer.
fn probe_of(data: &Value) -> Value {
    data["modules"]
        .as_array()
        .and_then(|m| m.iter().find(|x| x["id"] == "probe").cloned())
        .unwrap_or(Value::Null)
}

fn root_field_names(data: &Value, root: &str) -> Vec<String> {
    data["__schema"][root]["fields"]
        .as_array()
        .map(|f| f.iter().map(|x| s(x, "name").to_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_catalogue_lists_the_probe_module_switched_off_by_default() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .gql(
            Some(&w.partner),
            "{ modules { id name version available enabled config
                referralKinds { code firstResponseHours } permissions { code roles } } }",
            json!({}),
        )
        .await;
    let modules = r.ok()["modules"].as_array().cloned().unwrap_or_default();
    let probe = modules.iter().find(|m| m["id"] == "probe").expect("probe listed");
    assert_eq!(probe["available"], true);
    assert_eq!(probe["enabled"], false);
    assert!(probe["config"].is_null(), "only admins read the configuration");
    let r = app
        .gql(Some(&w.org_admin), "{ modules { id config } }", json!({}))
        .await;
    assert_eq!(
        probe_of(r.ok())["config"],
        json!({"greeting": "salom", "max_sessions": 0}),
        "the defaults"
    );
    assert_eq!(probe["referralKinds"][0]["code"], "probe.session");
    assert_eq!(probe["referralKinds"][0]["firstResponseHours"], 48);
    assert_eq!(probe["permissions"][0]["roles"], json!(["PARTNER_STAFF"]));
}

#[tokio::test]
async fn two_organisations_see_different_schemas_and_results_and_a_toggle_flips_it_at_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = partners(&app, &w).await;
    set_probe(
        &app,
        &p.employment_admin,
        true,
        Some(json!({"greeting": "xush kelibsiz"})),
    )
    .await;

    // Introspection: the namespace and the module's types exist for one organisation only.
    let on = app.gql(Some(&w.partner), HAS_PROBE_FIELD, json!({})).await;
    let off = app.gql(Some(&p.ngo_staff), HAS_PROBE_FIELD, json!({})).await;
    assert!(root_field_names(on.ok(), "queryType").contains(&"probe".to_owned()));
    assert!(root_field_names(on.ok(), "mutationType").contains(&"probe".to_owned()));
    assert!(!root_field_names(off.ok(), "queryType").contains(&"probe".to_owned()));
    assert!(!root_field_names(off.ok(), "mutationType").contains(&"probe".to_owned()));
    let ty = "{ __type(name: \"ProbeQuery\") { name } }";
    assert_eq!(
        app.gql(Some(&w.partner), ty, json!({})).await.ok()["__type"]["name"],
        "ProbeQuery"
    );
    assert!(app.gql(Some(&p.ngo_staff), ty, json!({})).await.ok()["__type"].is_null());

    // The same query: an answer for one, MODULE_DISABLED for the other.
    let q = "{ probe { greeting } }";
    let r = app.gql(Some(&w.partner), q, json!({})).await;
    assert_eq!(r.ok()["probe"]["greeting"], "xush kelibsiz");
    app.gql(Some(&p.ngo_staff), q, json!({}))
        .await
        .expect_code("MODULE_DISABLED");
    app.gql(
        Some(&p.ngo_staff),
        "mutation { probe { echo(word: \"x\") } }",
        json!({}),
    )
    .await
    .expect_code("MODULE_DISABLED");

    // Toggle: the very next request of each organisation sees the change.
    set_probe(&app, &p.employment_admin, false, None).await;
    set_probe(&app, &p.ngo_admin, true, None).await;
    app.gql(Some(&w.partner), q, json!({}))
        .await
        .expect_code("MODULE_DISABLED");
    let r = app.gql(Some(&p.ngo_staff), q, json!({})).await;
    assert_eq!(r.ok()["probe"]["greeting"], "salom", "the default config applies");
    assert!(
        root_field_names(
            app.gql(Some(&w.partner), HAS_PROBE_FIELD, json!({})).await.ok(),
            "queryType"
        )
        .iter()
        .all(|f| f != "probe")
    );
}

#[tokio::test]
async fn a_module_type_reached_without_its_namespace_is_still_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Anonymous callers see no module at all, and calling one needs a sign-in.
    app.gql(None, "{ probe { greeting } }", json!({}))
        .await
        .expect_code("UNAUTHENTICATED");
    app.gql(Some(&w.officer), "{ probe { greeting } }", json!({}))
        .await
        .expect_code("MODULE_DISABLED");
}

#[tokio::test]
async fn config_is_validated_and_unknown_keys_are_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = partners(&app, &w).await;
    let bad = |config: Value| json!({"i": {"moduleId": "probe", "enabled": true, "config": config}});
    let r = app
        .gql(Some(&p.ngo_admin), CONFIGURE, bad(json!({"colour": "red"})))
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.field(), Some("input.config"));
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("colour")
    );
    app.gql(Some(&p.ngo_admin), CONFIGURE, bad(json!({"max_sessions": 500})))
        .await
        .expect_code("BAD_USER_INPUT");
    app.gql(
        Some(&p.ngo_admin),
        CONFIGURE,
        bad(json!({"max_sessions": "many"})),
    )
    .await
    .expect_code("BAD_USER_INPUT");
    // Nothing was written by the refused attempts.
    let r = app
        .gql(Some(&p.ngo_admin), "{ modules { id enabled } }", json!({}))
        .await;
    assert_eq!(probe_of(r.ok())["enabled"], false);

    let saved = set_probe(&app, &p.ngo_admin, true, Some(json!({"max_sessions": 12}))).await;
    assert_eq!(
        saved["config"],
        json!({"greeting": "salom", "max_sessions": 12}),
        "defaults filled in"
    );
    let r = app
        .gql(
            Some(&p.ngo_staff),
            "{ probe { settings { maxSessions } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["probe"]["settings"]["maxSessions"], 12);
    // Switching off keeps the configuration for the next time.
    set_probe(&app, &p.ngo_admin, false, None).await;
    let again = set_probe(&app, &p.ngo_admin, true, None).await;
    assert_eq!(again["config"]["max_sessions"], 12);
}

#[tokio::test]
async fn only_an_organisation_admin_switches_modules_for_their_own_organisation() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = partners(&app, &w).await;
    let input =
        |org: Option<&str>| json!({"i": {"moduleId": "probe", "enabled": true, "organisationId": org}});
    app.gql(Some(&w.partner), CONFIGURE, input(None))
        .await
        .expect_code("FORBIDDEN");
    app.gql(Some(&p.ngo_admin), CONFIGURE, input(Some(&w.employment)))
        .await
        .expect_code("FORBIDDEN");
    app.gql(
        Some(&p.ngo_admin),
        CONFIGURE,
        json!({"i": {"moduleId": "nonexistent", "enabled": true}}),
    )
    .await
    .expect_code("BAD_USER_INPUT");
    // The platform admin may switch it for any organisation.
    let r = app.gql(Some(&w.admin), CONFIGURE, input(Some(&p.ngo))).await;
    assert_eq!(r.ok()["configureModule"]["enabled"], true);
    let r = app
        .gql(
            Some(&w.admin),
            "query($o: ID) { modules(organisationId: $o) { id enabled } }",
            json!({"o": p.ngo}),
        )
        .await;
    assert_eq!(probe_of(r.ok())["enabled"], true);
    app.gql(
        Some(&p.ngo_admin),
        "query($o: ID) { modules(organisationId: $o) { id } }",
        json!({"o": w.employment}),
    )
    .await
    .expect_code("FORBIDDEN");
}

#[tokio::test]
async fn withdrawing_a_module_from_the_platform_switches_it_off_everywhere() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = partners(&app, &w).await;
    set_probe(&app, &p.ngo_admin, true, None).await;
    let avail = "mutation($a: Boolean!) { setModuleAvailability(input: {moduleId: \"probe\", available: $a}) { id available } }";
    app.gql(Some(&p.ngo_admin), avail, json!({"a": false}))
        .await
        .expect_code("FORBIDDEN");
    app.gql(Some(&w.admin), avail, json!({"a": false})).await.ok();

    app.gql(Some(&p.ngo_staff), "{ probe { greeting } }", json!({}))
        .await
        .expect_code("MODULE_DISABLED");
    let r = app
        .gql(
            Some(&p.ngo_admin),
            "{ modules { id available enabled } }",
            json!({}),
        )
        .await;
    assert_eq!(
        probe_of(r.ok()),
        json!({"id": "probe", "available": false, "enabled": false})
    );
    app.gql(
        Some(&p.ngo_admin),
        CONFIGURE,
        json!({"i": {"moduleId": "probe", "enabled": true}}),
    )
    .await
    .expect_code("CONFLICT");

    // Made available again, the organisation's own switch is back in force.
    app.gql(Some(&w.admin), avail, json!({"a": true})).await.ok();
    let r = app
        .gql(Some(&p.ngo_staff), "{ probe { greeting } }", json!({}))
        .await;
    assert_eq!(r.ok()["probe"]["greeting"], "salom");
}

#[tokio::test]
async fn module_changes_are_audited_and_emitted_as_events() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = partners(&app, &w).await;
    set_probe(
        &app,
        &p.ngo_admin,
        true,
        Some(json!({"greeting": "private text"})),
    )
    .await;
    set_probe(&app, &p.ngo_admin, false, None).await;

    let r = app
        .gql(
            Some(&w.auditor),
            "{ auditEvents(filter: {action: \"module.configure\"}) { edges { node { detail actorOrganisation { id } } } } }",
            json!({}),
        )
        .await;
    let edges = r.ok()["auditEvents"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edges.len(), 2);
    assert_eq!(
        edges[1]["node"]["detail"]["configKeys"],
        json!(["greeting", "max_sessions"])
    );
    assert!(!edges[1]["node"]["detail"].to_string().contains("private text"));

    let r = app
        .gql(
            Some(&p.ngo_admin),
            "{ events(filter: {types: [\"module.enabled\", \"module.disabled\"]}) { edges { node { type payload organisationId } } } }",
            json!({}),
        )
        .await;
    let types: Vec<String> = r.ok()["events"]["edges"]
        .as_array()
        .map(|e| e.iter().map(|x| s(x, "node.type").to_owned()).collect())
        .unwrap_or_default();
    assert_eq!(types, ["module.enabled", "module.disabled"]);
    assert_eq!(
        r.ok()["events"]["edges"][0]["node"]["organisationId"],
        json!(p.ngo)
    );
    // Another organisation's admin sees none of them.
    let r = app
        .gql(
            Some(&p.employment_admin),
            "{ events(filter: {types: [\"module.enabled\"]}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["events"]["totalCount"], 0);
}

#[tokio::test]
async fn me_lists_the_enabled_modules() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = partners(&app, &w).await;
    let q = "{ me { enabledModules } }";
    assert_eq!(
        app.gql(Some(&p.ngo_staff), q, json!({})).await.ok()["me"]["enabledModules"],
        json!([])
    );
    set_probe(&app, &p.ngo_admin, true, None).await;
    assert_eq!(
        app.gql(Some(&p.ngo_staff), q, json!({})).await.ok()["me"]["enabledModules"],
        json!(["probe"])
    );
}
