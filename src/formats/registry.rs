//! The one list of formats. Each format file declares its own [`Format`]s (name, `--format`
//! id, description, how to build its parser from the profile's hints and a file's first lines);
//! this module only lists them, in the order auto-detection tries them: the more specific first,
//! so that ties go to them (a configured logformat, then combined before common). `--format`
//! names, `filterwatch formats`, detection and the stored `source_format` all read this list.

use super::detect::FormatHints;
use super::{cloud, csv_export, e2guardian, fortigate, sophos, squid, squidguard, FormatName, LineParser, Parser};

/// Everything filterwatch knows about one format.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// The format.
    pub name: FormatName,
    /// Its `--format` name, stored in `source_format`.
    pub id: &'static str,
    /// One line on what it is, for `filterwatch formats`.
    pub description: &'static str,
    /// How its parser for a file is made.
    pub build: Build,
}

/// How a format's parser for one file is made.
#[derive(Debug, Clone, Copy)]
pub enum Build {
    /// Every line is read by this one function, whatever the file.
    Lines(LineParser),
    /// From the profile's hints and the file's first lines; why not when a hint is missing.
    Custom(fn(&[&str], &FormatHints) -> Result<Parser, String>),
}

impl Format {
    /// A format whose every line one function reads.
    pub const fn fixed(name: FormatName, id: &'static str, description: &'static str, parse: LineParser) -> Format {
        Format { name, id, description, build: Build::Lines(parse) }
    }

    /// Its parser for a file with these first lines.
    pub fn parser(&self, lines: &[&str], hints: &FormatHints) -> Result<Parser, String> {
        match self.build {
            Build::Lines(parse) => Ok(Parser::Fixed { name: self.name, parse }),
            Build::Custom(build) => build(lines, hints),
        }
    }
}

/// The format files' lists, in detection order.
const GROUPS: [&[Format]; 7] = [
    &squid::FORMATS,
    &e2guardian::FORMATS,
    &[squidguard::FORMAT],
    &[fortigate::FORMAT],
    &sophos::FORMATS,
    &cloud::FORMATS,
    &[csv_export::FORMAT],
];

/// Every format, in detection order.
pub fn all() -> impl Iterator<Item = &'static Format> {
    GROUPS.iter().flat_map(|group| group.iter())
}

/// The description of a format.
pub fn of(name: FormatName) -> &'static Format {
    all().find(|f| f.name == name).expect("every format name the parsers produce is registered")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_format_has_a_description() {
        let ids: Vec<&str> = all().map(|f| f.id).collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert!(all().all(|f| !f.description.is_empty() && of(f.name).id == f.id));
    }
}
