//! The shape of each synced record on the wire (a JSON object with global ids and
//! enumeration names), used by pulls, push answers, and the `current` record of a
//! CONFLICT or INVALID_TRANSITION answer. Fields are what the caller's reads show of
//! the record at the level the pull selected it by; nothing else.

use serde_json::{Value as Json, json};

use crate::case::entity::case;
use crate::enums::enum_name;
use crate::ids::encode;
use crate::mahalla::entity::{activity, task};
use crate::person::entity as person;
use crate::supervision::entity::{appointment, note};

fn id(type_name: &str, id: i64) -> String {
    encode(type_name, id).to_string()
}

fn id_opt(type_name: &str, v: Option<i64>) -> Json {
    v.map_or(Json::Null, |v| Json::String(id(type_name, v)))
}

/// A case: what everyone who sees it sees (the person's name, the basic facts).
pub fn case(c: &case::Model, p: Option<&person::Model>) -> Json {
    json!({
        "id": id("Case", c.id),
        "personId": id("Person", c.person_id),
        "personName": p.map(|p| p.full_name()),
        "address": p.and_then(|p| p.address.clone()),
        "kind": enum_name(c.kind),
        "status": enum_name(c.status),
        "mahallaId": id("Mahalla", c.mahalla_id),
        "sentenceStart": c.sentence_start,
        "sentenceEnd": c.sentence_end,
        "version": case_version(c),
    })
}

/// A case is not changed from the phone: its version is its last change's time.
pub fn case_version(c: &case::Model) -> i64 {
    c.updated_at.timestamp_millis()
}

pub fn appointment(a: &appointment::Model) -> Json {
    json!({
        "id": id("Appointment", a.id),
        "caseId": id("Case", a.case_id),
        "kind": enum_name(a.kind),
        "scheduledAt": a.scheduled_at,
        "location": a.location,
        "outcome": a.outcome.map(enum_name),
        "outcomeNote": a.outcome_note,
        "outcomeRecordedAt": a.outcome_recorded_at,
        "version": a.version,
    })
}

pub fn note(n: &note::Model) -> Json {
    json!({
        "id": id("CaseNote", n.id),
        "caseId": id("Case", n.case_id),
        "authorId": id("User", n.author_id),
        "visibility": enum_name(n.visibility),
        "body": n.body,
        "createdAt": n.created_at,
        "version": n.version,
    })
}

pub fn task(t: &task::Model) -> Json {
    json!({
        "id": id("MahallaTask", t.id),
        "caseId": id("Case", t.case_id),
        "memberId": id("MahallaMember", t.member_id),
        "title": t.title,
        "details": t.details,
        "dueOn": t.due_on,
        "status": enum_name(t.status),
        "outcome": t.outcome,
        "completedAt": t.completed_at,
        "cancelReason": t.cancel_reason,
        "version": t.version,
    })
}

pub fn activity(a: &activity::Model) -> Json {
    json!({
        "id": id("ProgrammeActivity", a.id),
        "programmeId": id("PreventionProgramme", a.programme_id),
        "kind": enum_name(a.kind),
        "title": a.title,
        "plannedOn": a.planned_on,
        "place": a.place,
        "responsibleMemberId": id_opt("MahallaMember", a.responsible_member_id),
        "status": enum_name(a.status),
        "doneOn": a.done_on,
        "result": a.result,
        "participants": a.participants,
        "version": a.version,
    })
}
