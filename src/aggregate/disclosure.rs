//! Statistical disclosure control for everything the local authority publishes: a count of
//! people (pupils seen, pupils' high-severity findings, staff sessions out of hours) from 1 to
//! below the threshold is printed as `<5`, a rate made from such a count is withheld, and no
//! school stands out on a measure that so few people make. Zero is shown: it discloses no one.

/// The default threshold: counts of 1 to 4 people are not published.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// The smallest count of people that may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmallNumbers {
    /// Counts from 1 to below this are hidden.
    pub threshold: u64,
}

impl Default for SmallNumbers {
    fn default() -> Self {
        SmallNumbers { threshold: DEFAULT_THRESHOLD }
    }
}

impl SmallNumbers {
    /// Whether a count of people is too small to publish.
    pub fn hides(&self, people: u64) -> bool {
        people > 0 && people < self.threshold
    }

    /// The count as published: the number, or `<5`.
    pub fn count(&self, people: u64) -> String {
        if self.hides(people) {
            format!("<{}", self.threshold)
        } else {
            people.to_string()
        }
    }

    /// A rate made from a count of people, to one decimal; withheld with the count.
    pub fn rate(&self, people: u64, rate: f64) -> String {
        if self.hides(people) {
            "withheld".to_string()
        } else {
            format!("{rate:.1}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_four_people_are_not_published_and_zero_is() {
        let rule = SmallNumbers::default();
        assert_eq!([0, 1, 4, 5, 12].map(|n| rule.count(n)), ["0", "<5", "<5", "5", "12"]);
        assert_eq!(rule.rate(3, 12.5), "withheld");
        assert_eq!(rule.rate(6, 12.54), "12.5");
        assert_eq!(SmallNumbers { threshold: 10 }.count(9), "<10");
    }
}
