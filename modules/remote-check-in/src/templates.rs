//! The messages to the person, in their language. Pure.

use chrono::{DateTime, Utc};
use hamkor_api::case::geofence::CASE_TZ;

use crate::entity::{CheckInLanguage, MessagePurpose};

/// The wall-clock time of `at` in Tashkent, as `DD.MM HH:MM`.
fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&CASE_TZ).format("%d.%m %H:%M").to_string()
}

/// The activation code message.
pub fn activation(lang: CheckInLanguage, code: &str, minutes: i64) -> String {
    match lang {
        CheckInLanguage::UzLatn => format!(
            "Hamkor: faollashtirish kodingiz {code}. Kod {minutes} daqiqa amal qiladi. Uni hech kimga bermang."
        ),
        CheckInLanguage::UzCyrl => format!(
            "Hamkor: фаоллаштириш кодингиз {code}. Код {minutes} дақиқа амал қилади. Уни ҳеч кимга берманг."
        ),
        CheckInLanguage::Ru => format!(
            "Hamkor: ваш код активации {code}. Код действует {minutes} минут. Никому его не сообщайте."
        ),
    }
}

/// A reminder: the window opened, or closes soon.
pub fn reminder(lang: CheckInLanguage, purpose: MessagePurpose, closes: DateTime<Utc>) -> String {
    let when = local(closes);
    match (purpose, lang) {
        (MessagePurpose::WindowClosing, CheckInLanguage::UzLatn) => {
            format!("Hamkor: masofaviy hisobot {when} da yopiladi. Iltimos, hozir topshiring.")
        }
        (MessagePurpose::WindowClosing, CheckInLanguage::UzCyrl) => {
            format!("Hamkor: масофавий ҳисобот {when} да ёпилади. Илтимос, ҳозир топширинг.")
        }
        (MessagePurpose::WindowClosing, CheckInLanguage::Ru) => {
            format!("Hamkor: окно отметки закрывается {when}. Пожалуйста, отметьтесь сейчас.")
        }
        (_, CheckInLanguage::UzLatn) => {
            format!("Hamkor: masofaviy hisobot ochildi. {when} gacha topshiring.")
        }
        (_, CheckInLanguage::UzCyrl) => format!("Hamkor: масофавий ҳисобот очилди. {when} гача топширинг."),
        (_, CheckInLanguage::Ru) => format!("Hamkor: открыта удалённая отметка. Отметьтесь до {when}."),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn messages_are_in_the_persons_language_and_local_time() {
        let closes = Utc
            .with_ymd_and_hms(2026, 12, 7, 12, 0, 0)
            .single()
            .expect("time");
        assert!(activation(CheckInLanguage::Ru, "123456", 15).contains("код активации 123456"));
        assert!(
            reminder(CheckInLanguage::UzLatn, MessagePurpose::WindowOpen, closes).contains("07.12 17:00")
        );
        assert!(reminder(CheckInLanguage::UzCyrl, MessagePurpose::WindowClosing, closes).contains("ёпилади"));
    }
}
