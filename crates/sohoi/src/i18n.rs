//! Translations: user-facing text lives in `locales/vi.ftl` (the default) and
//! `locales/en.ftl`, in Fluent syntax; code refers to messages by id.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" | "vi-vn" => Some(Lang::Vi),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// Arguments of a message, kept as text or numbers.
#[derive(Clone, Debug, Default)]
pub struct Args(BTreeMap<&'static str, Arg>);

#[derive(Clone, Debug)]
enum Arg {
    Text(String),
    Number(f64),
}

impl Args {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.0.insert(name, Arg::Text(value.into()));
        self
    }

    pub fn num(mut self, name: &'static str, value: impl Into<f64>) -> Self {
        self.0.insert(name, Arg::Number(value.into()));
        self
    }
}

pub struct Translator {
    bundle: FluentBundle<FluentResource>,
}

impl Translator {
    fn load(lang: Lang, source: &str) -> Self {
        let (translator, problems) = Self::parse(lang, source);
        // The files are compiled in and a test parses them without a problem; should one slip
        // through, the server still speaks (the broken entries show their ids) and says why.
        for problem in problems {
            tracing::error!("tệp dịch {}: {problem}", lang.code());
        }
        translator
    }

    /// The translator of `source` and every problem found in it: a syntax error, or a message
    /// defined twice.
    pub fn parse(lang: Lang, source: &str) -> (Self, Vec<String>) {
        let langid = lang.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        // Numbers and names are shown as they are, without Unicode isolation marks.
        bundle.set_use_isolating(false);
        let mut problems = Vec::new();
        let resource =
            FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
                problems.extend(errors.iter().map(|e| format!("{e:?}")));
                partial
            });
        if let Err(errors) = bundle.add_resource(resource) {
            problems.extend(errors.iter().map(|e| format!("{e:?}")));
        }
        (Self { bundle }, problems)
    }

    /// The message `id`; the id itself when a translation is missing (a test checks that
    /// both files define the same ids).
    pub fn msg(&self, id: &str) -> String {
        self.format(id, None)
    }

    pub fn msg_with(&self, id: &str, args: &Args) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in &args.0 {
            match value {
                Arg::Text(s) => fluent.set(*name, FluentValue::from(s.as_str())),
                Arg::Number(n) => fluent.set(*name, FluentValue::from(*n)),
            }
        }
        self.format(id, Some(&fluent))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_string();
        };
        let mut errors = vec![];
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }
}

pub const VI_SOURCE: &str = include_str!("../locales/vi.ftl");
pub const EN_SOURCE: &str = include_str!("../locales/en.ftl");

pub fn translator(lang: Lang) -> &'static Translator {
    static VI: OnceLock<Translator> = OnceLock::new();
    static EN: OnceLock<Translator> = OnceLock::new();
    match lang {
        Lang::Vi => VI.get_or_init(|| Translator::load(Lang::Vi, VI_SOURCE)),
        Lang::En => EN.get_or_init(|| Translator::load(Lang::En, EN_SOURCE)),
    }
}

/// Message ids defined in a Fluent source (lines that start an entry).
pub fn message_ids(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_define_the_same_messages() {
        let mut vi = message_ids(VI_SOURCE);
        let mut en = message_ids(EN_SOURCE);
        vi.sort();
        en.sort();
        assert_eq!(vi, en);
    }

    #[test]
    fn both_translation_files_parse_without_a_problem() {
        for (lang, source) in [(Lang::Vi, VI_SOURCE), (Lang::En, EN_SOURCE)] {
            let (_, problems) = Translator::parse(lang, source);
            assert_eq!(problems, Vec::<String>::new(), "{}", lang.code());
        }
        // A broken entry is reported, not swallowed.
        let (_, problems) = Translator::parse(Lang::Vi, "ok = được\nbroken = { $\n");
        assert!(!problems.is_empty());
    }

    #[test]
    fn messages_take_arguments() {
        let args = Args::new().with("what", "đơn vị").with("key", "99999");
        assert_eq!(
            translator(Lang::Vi).msg_with("error-not-found", &args),
            "Không tìm thấy đơn vị 99999"
        );
    }
}
