//! The small arithmetic of forms: formulas (`members / women_18_plus * 100`) and validation
//! rules (`ethnic_minority <= members`). Codes, numbers, + - * / and parentheses; nothing
//! else, so that a form file cannot do more than add and compare.

use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Number(f64),
    Code(String),
    Binary(Box<Expr>, char, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Comparison {
    Le,
    Lt,
    Ge,
    Gt,
    Eq,
}

/// A rule: two expressions compared.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub left: Expr,
    pub op: Comparison,
    pub right: Expr,
}

#[derive(Debug, PartialEq)]
pub struct ParseError(pub String);

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            chars: text.char_indices().peekable(),
            text,
        }
    }

    fn skip_space(&mut self) {
        while self.chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.peek().map(|(_, c)| *c)
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.term()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.chars.next();
            left = Expr::Binary(Box::new(left), op, Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.factor()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.chars.next();
            left = Expr::Binary(Box::new(left), op, Box::new(self.factor()?));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            Some('(') => {
                self.chars.next();
                let inner = self.expr()?;
                if self.peek() != Some(')') {
                    return Err(ParseError(format!("')' expected in {}", self.text)));
                }
                self.chars.next();
                Ok(inner)
            }
            Some(c) if c.is_ascii_digit() => {
                let mut s = String::new();
                while let Some((_, c)) =
                    self.chars.next_if(|(_, c)| c.is_ascii_digit() || *c == '.')
                {
                    s.push(c);
                }
                s.parse()
                    .map(Expr::Number)
                    .map_err(|_| ParseError(format!("bad number {s}")))
            }
            Some(c) if c.is_ascii_lowercase() => {
                let mut s = String::new();
                while let Some((_, c)) = self
                    .chars
                    .next_if(|(_, c)| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                {
                    s.push(c);
                }
                Ok(Expr::Code(s))
            }
            other => Err(ParseError(format!(
                "unexpected {:?} in {}",
                other.map(String::from).unwrap_or_else(|| "end".into()),
                self.text
            ))),
        }
    }

    fn comparison(&mut self) -> Result<Comparison, ParseError> {
        self.skip_space();
        let rest: String = self.chars.clone().take(2).map(|(_, c)| c).collect();
        let (op, len) = match rest.as_str() {
            "<=" => (Comparison::Le, 2),
            ">=" => (Comparison::Ge, 2),
            "==" => (Comparison::Eq, 2),
            r if r.starts_with('<') => (Comparison::Lt, 1),
            r if r.starts_with('>') => (Comparison::Gt, 1),
            _ => {
                return Err(ParseError(format!(
                    "a comparison expected in {}",
                    self.text
                )));
            }
        };
        for _ in 0..len {
            self.chars.next();
        }
        Ok(op)
    }

    fn end(&mut self) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(c) => Err(ParseError(format!("unexpected '{c}' in {}", self.text))),
        }
    }
}

pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let mut p = Parser::new(text);
    let e = p.expr()?;
    p.end()?;
    Ok(e)
}

pub fn parse_check(text: &str) -> Result<Check, ParseError> {
    let mut p = Parser::new(text);
    let left = p.expr()?;
    let op = p.comparison()?;
    let right = p.expr()?;
    p.end()?;
    Ok(Check { left, op, right })
}

impl Expr {
    /// The codes the expression reads.
    pub fn codes(&self, out: &mut BTreeSet<String>) {
        match self {
            Expr::Number(_) => {}
            Expr::Code(c) => {
                out.insert(c.clone());
            }
            Expr::Binary(a, _, b) => {
                a.codes(out);
                b.codes(out);
            }
        }
    }

    /// The value, or `None` when a code has no value or a division is by zero (a rate of a
    /// unit without a population is not a number, not an error).
    pub fn eval(&self, value: &impl Fn(&str) -> Option<f64>) -> Option<f64> {
        match self {
            Expr::Number(n) => Some(*n),
            Expr::Code(c) => value(c),
            Expr::Binary(a, op, b) => {
                let (a, b) = (a.eval(value)?, b.eval(value)?);
                match op {
                    '+' => Some(a + b),
                    '-' => Some(a - b),
                    '*' => Some(a * b),
                    _ if b == 0.0 => None,
                    _ => Some(a / b),
                }
            }
        }
    }
}

impl Check {
    /// Whether the rule holds; `None` when a value it needs is missing (the rule is then not
    /// applied, not failed).
    pub fn holds(&self, value: &impl Fn(&str) -> Option<f64>) -> Option<bool> {
        let (a, b) = (self.left.eval(value)?, self.right.eval(value)?);
        // Exact for counts; rates compare to the hundredth they are kept in.
        let eps = 1e-9;
        Some(match self.op {
            Comparison::Le => a <= b + eps,
            Comparison::Lt => a < b - eps,
            Comparison::Ge => a + eps >= b,
            Comparison::Gt => a > b + eps,
            Comparison::Eq => (a - b).abs() <= eps,
        })
    }

    pub fn codes(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.left.codes(&mut out);
        self.right.codes(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(code: &str) -> Option<f64> {
        match code {
            "members" => Some(870.0),
            "women_18_plus" => Some(1000.0),
            "ethnic_minority" => Some(12.0),
            _ => None,
        }
    }

    #[test]
    fn formulas_follow_precedence() {
        let e = parse("members / women_18_plus * 100").expect("parse");
        assert_eq!(e.eval(&values), Some(87.0));
        let e = parse("(members - ethnic_minority) * 2").expect("parse");
        assert_eq!(e.eval(&values), Some(1716.0));
        assert_eq!(parse("members / 0").expect("parse").eval(&values), None);
        assert_eq!(parse("unknown + 1").expect("parse").eval(&values), None);
    }

    #[test]
    fn rules_compare_and_skip_missing_values() {
        let c = parse_check("ethnic_minority <= members").expect("parse");
        assert_eq!(c.holds(&values), Some(true));
        let c = parse_check("members > women_18_plus").expect("parse");
        assert_eq!(c.holds(&values), Some(false));
        let c = parse_check("unknown <= members").expect("parse");
        assert_eq!(c.holds(&values), None);
    }

    #[test]
    fn nothing_but_arithmetic_parses() {
        assert!(parse("members; drop").is_err());
        assert!(parse("members +").is_err());
        assert!(parse_check("members").is_err());
        assert!(parse("Members").is_err());
    }
}
