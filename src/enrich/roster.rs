//! The school's roster: what the school says each username is (role and year group). Read when
//! a run needs it (the school context), never by the profile loader, which only validates.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::config::{Role, YearGroup};

/// One roster line: what the school says a username is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// The person's role.
    pub role: Role,
    /// National Curriculum year group, for pupils.
    pub year_group: Option<YearGroup>,
}

/// Normalised username → what the roster says.
pub type Roster = HashMap<String, RosterEntry>;

/// Reads a roster: `username,role[,year_group]` lines; a header line and `#` comments are allowed.
/// Errors name the file and line.
pub fn load(path: &Path) -> Result<Roster> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read roster {}", path.display()))?;
    let mut roster = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if index == 0 && fields[0].eq_ignore_ascii_case("username") {
            continue;
        }
        let at = || format!("{}:{}", path.display(), index + 1);
        if fields.len() < 2 || fields[0].is_empty() {
            bail!("{}: expected username,role[,year_group]", at());
        }
        let role = Role::parse(fields[1]).with_context(|| format!("{}: unknown role {:?}", at(), fields[1]))?;
        let year_group = match fields.get(2).filter(|y| !y.is_empty()) {
            Some(y) => Some(
                y.trim_start_matches(|c: char| !c.is_ascii_digit())
                    .parse::<YearGroup>()
                    .with_context(|| format!("{}: bad year group {:?}", at(), y))?,
            ),
            None => None,
        };
        let user = super::users::normalise_user(fields[0]).with_context(|| format!("{}: empty username", at()))?;
        roster.insert(user, RosterEntry { role, year_group });
    }
    Ok(roster)
}
