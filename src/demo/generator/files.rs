//! The profile, roster and category-list files written beside the logs.

use super::*;

pub(super) fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `school.toml`, with half term the week after as the holiday.
pub(super) fn profile_text(spec: &WeekSpec) -> String {
    let half_term_start = spec.monday + TimeDelta::days(7);
    let half_term_end = spec.monday + TimeDelta::days(11);
    format!(
        r#"id = {id}
name = {name}
timezone = "Europe/London"
roster = "roster.csv"
categories = "categories"
logs = ["logs/access.log*"]

[hours]
staff_start = "07:00"
staff_end = "19:00"
school_days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
holidays = ["{half_term_start}..{half_term_end}"]

[[role_rules]]
pattern = '^\d{{2}}[a-z]+$'
role = "pupil"
"#,
        id = toml_string(&spec.school_id),
        name = toml_string(&spec.school_name),
    )
}

pub(super) fn roster_text(people: &[Person]) -> String {
    let mut text = String::from("username,role,year_group\n");
    for person in people.iter().filter(|person| person.rostered) {
        let year = person.year_group.map(|year| year.to_string()).unwrap_or_default();
        text.push_str(&format!("{},{},{year}\n", person.username, person.role.as_str()));
    }
    for account in SERVICE_ACCOUNTS {
        text.push_str(&format!("{account},service,\n"));
    }
    text
}

pub(super) fn one_per_line(items: &[&str]) -> String {
    items.iter().map(|item| format!("{item}\n")).collect()
}

pub(super) fn write_categories(dir: &Path) -> io::Result<()> {
    for category in CATEGORIES {
        let folder = dir.join(category.name);
        fs::create_dir_all(&folder)?;
        fs::write(folder.join("domains"), one_per_line(category.domains))?;
    }
    fs::write(dir.join(PROXY.name).join("urls"), one_per_line(PROXY_URLS))
}
