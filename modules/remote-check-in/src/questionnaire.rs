//! The check-in questionnaire: the default questions, an organisation's own (module
//! configuration), labels in the three languages, and the validation of answers. Pure:
//! no SQL.

use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::module::kit::enums::enum_name;
use sea_orm::Iterable;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use crate::entity::{CheckInLanguage, SupportNeed, Wellbeing};

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuestionKind {
    /// One of the five `Wellbeing` levels.
    Wellbeing,
    /// A list of `{need, text}`: the support needs, each with the person's words.
    SupportNeeds,
    /// Yes or no: whether the person asks the officer to call them.
    Callback,
    /// Yes or no.
    YesNo,
    /// Free text (at most 1,000 characters).
    Text,
}

/// A label in the three languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Labels {
    pub uz_latn: String,
    pub uz_cyrl: String,
    pub ru: String,
}

impl Labels {
    pub fn new(uz_latn: &str, uz_cyrl: &str, ru: &str) -> Self {
        Self {
            uz_latn: uz_latn.into(),
            uz_cyrl: uz_cyrl.into(),
            ru: ru.into(),
        }
    }

    pub fn get(&self, lang: CheckInLanguage) -> &str {
        match lang {
            CheckInLanguage::UzLatn => &self.uz_latn,
            CheckInLanguage::UzCyrl => &self.uz_cyrl,
            CheckInLanguage::Ru => &self.ru,
        }
    }
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Question {
    /// `[a-z][a-z0-9_]*`, unique in the questionnaire.
    pub id: String,
    pub kind: QuestionKind,
    pub label: Labels,
    #[serde(default)]
    pub required: bool,
}

/// The questions every organisation starts from.
pub fn default_questions() -> Vec<Question> {
    vec![
        Question {
            id: "wellbeing".into(),
            kind: QuestionKind::Wellbeing,
            label: Labels::new(
                "Bugun o'zingizni qanday his qilyapsiz?",
                "Бугун ўзингизни қандай ҳис қиляпсиз?",
                "Как вы себя чувствуете сегодня?",
            ),
            required: true,
        },
        Question {
            id: "support".into(),
            kind: QuestionKind::SupportNeeds,
            label: Labels::new(
                "Sizga qanday yordam kerak?",
                "Сизга қандай ёрдам керак?",
                "С чем вам нужна помощь?",
            ),
            required: false,
        },
        Question {
            id: "callback".into(),
            kind: QuestionKind::Callback,
            label: Labels::new(
                "Inspektor sizga qo'ng'iroq qilsinmi?",
                "Инспектор сизга қўнғироқ қилсинми?",
                "Хотите, чтобы офицер вам перезвонил?",
            ),
            required: false,
        },
    ]
}

/// A questionnaire's problems, if any (for the module configuration).
pub fn check_questions(questions: &[Question]) -> Result<(), String> {
    if questions.is_empty() || questions.len() > 20 {
        return Err("a questionnaire has 1 to 20 questions".into());
    }
    let mut seen = std::collections::HashSet::new();
    for q in questions {
        let ok = q.id.len() <= 32
            && q.id.starts_with(|c: char| c.is_ascii_lowercase())
            && q.id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(format!(
                "question id {:?} is not [a-z][a-z0-9_]* (at most 32)",
                q.id
            ));
        }
        if !seen.insert(q.id.as_str()) {
            return Err(format!("question id {:?} appears twice", q.id));
        }
        for l in [&q.label.uz_latn, &q.label.uz_cyrl, &q.label.ru] {
            if l.trim().is_empty() || l.chars().count() > 300 {
                return Err(format!(
                    "question {:?} needs a label of 1–300 characters in each language",
                    q.id
                ));
            }
        }
    }
    Ok(())
}

/// What a check-in's answers mean for the rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answered {
    /// The answers as stored: `{questionId: value}`.
    pub stored: Json,
    pub wellbeing: Option<Wellbeing>,
    pub support: Vec<SupportNeed>,
    pub callback: bool,
}

fn enum_of<E>(raw: &str) -> Option<E>
where
    E: Iterable + Copy + sea_orm::ActiveEnum<Value = String>,
{
    E::iter().find(|v| enum_name(*v) == raw)
}

/// Check `answers` (`{questionId: value}`) against `questions`: an unknown question id,
/// a value of the wrong kind or a required question left out is BAD_USER_INPUT naming
/// `input.answers.<id>`.
pub fn validate(questions: &[Question], answers: &Json) -> ApiResult<Answered> {
    let field = |id: &str| format!("input.answers.{id}");
    let Json::Object(given) = answers else {
        return Err(ApiError::bad_input(
            "input.answers",
            "an object of question id to answer",
        ));
    };
    let mut out = Answered::default();
    let mut stored = Map::new();
    for (id, value) in given {
        let Some(q) = questions.iter().find(|q| &q.id == id) else {
            return Err(ApiError::bad_input(
                field(id),
                "no such question in this questionnaire",
            ));
        };
        let wrong = |what: &str| ApiError::bad_input(field(id), format!("expected {what}"));
        match q.kind {
            QuestionKind::Wellbeing => {
                let level = value
                    .as_str()
                    .and_then(enum_of::<Wellbeing>)
                    .ok_or_else(|| wrong("one of VERY_WELL, WELL, OKAY, NOT_GREAT, STRUGGLING"))?;
                out.wellbeing = Some(level);
                stored.insert(id.clone(), json!(enum_name(level)));
            }
            QuestionKind::SupportNeeds => {
                let items = value.as_array().ok_or_else(|| wrong("a list of {need, text}"))?;
                let mut clean = Vec::new();
                for item in items.iter().take(SupportNeed::iter().count() + 1) {
                    let need = item
                        .get("need")
                        .and_then(Json::as_str)
                        .and_then(enum_of::<SupportNeed>)
                        .ok_or_else(|| wrong("each need one of HOUSING, MONEY, WORK_OR_STUDY, HEALTH, ALCOHOL_OR_DRUGS, FAMILY, OTHER"))?;
                    let text = item.get("text").and_then(Json::as_str).unwrap_or("").trim();
                    if text.chars().count() > 1_000 {
                        return Err(wrong("a text of at most 1,000 characters"));
                    }
                    if !out.support.contains(&need) {
                        out.support.push(need);
                        clean.push(json!({"need": enum_name(need), "text": text}));
                    }
                }
                if items.len() > clean.len() && items.len() > SupportNeed::iter().count() {
                    return Err(wrong("each need at most once"));
                }
                stored.insert(id.clone(), Json::Array(clean));
            }
            QuestionKind::Callback | QuestionKind::YesNo => {
                let yes = value.as_bool().ok_or_else(|| wrong("true or false"))?;
                if q.kind == QuestionKind::Callback {
                    out.callback |= yes;
                }
                stored.insert(id.clone(), json!(yes));
            }
            QuestionKind::Text => {
                let text = value.as_str().ok_or_else(|| wrong("text"))?.trim();
                if text.chars().count() > 1_000 {
                    return Err(wrong("a text of at most 1,000 characters"));
                }
                stored.insert(id.clone(), json!(text));
            }
        }
    }
    if let Some(q) = questions
        .iter()
        .find(|q| q.required && !given.contains_key(&q.id))
    {
        return Err(ApiError::bad_input(
            field(&q.id),
            "this question must be answered",
        ));
    }
    out.stored = Json::Object(stored);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_a_valid_questionnaire_in_three_languages() {
        let q = default_questions();
        assert_eq!(check_questions(&q), Ok(()));
        assert_eq!(
            q[0].label.get(CheckInLanguage::Ru),
            "Как вы себя чувствуете сегодня?"
        );
    }

    #[test]
    fn answers_are_read_for_the_rules() {
        let a = validate(
            &default_questions(),
            &json!({"wellbeing": "STRUGGLING", "support": [{"need": "HOUSING", "text": " no room "}], "callback": true}),
        )
        .expect("valid");
        assert_eq!(a.wellbeing, Some(Wellbeing::Struggling));
        assert_eq!(a.support, vec![SupportNeed::Housing]);
        assert!(a.callback);
        assert_eq!(a.stored["support"][0]["text"], "no room");
    }

    #[test]
    fn an_unknown_question_or_a_wrong_value_names_the_field() {
        let q = default_questions();
        let e = validate(&q, &json!({"wellbeing": "WELL", "mood": 3})).expect_err("unknown");
        assert_eq!(e.code(), "BAD_USER_INPUT");
        assert!(e.message().starts_with("input.answers.mood"), "{}", e.message());
        let e = validate(&q, &json!({"wellbeing": "HAPPY"})).expect_err("wrong");
        assert!(e.message().starts_with("input.answers.wellbeing"));
        let e = validate(&q, &json!({"callback": true})).expect_err("required");
        assert!(e.message().starts_with("input.answers.wellbeing"));
    }

    #[test]
    fn a_bad_questionnaire_is_refused() {
        let mut q = default_questions();
        q.push(q[0].clone());
        assert!(check_questions(&q).is_err());
        let mut q = default_questions();
        q[0].id = "Bad".into();
        assert!(check_questions(&q).is_err());
    }
}
