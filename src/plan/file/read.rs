//! Reading a routes file from the YAML parser's events: each route entry is
//! checked as soon as it has been read and then dropped, so that only the
//! routes are kept, never the whole document.
//!
//! Everything else is read as saphyr's loader reads it (the same nodes, the
//! same duplicate-key and alias rules, the same errors at the same places):
//! the nodes outside the `routes` list are few, and a route entry is one
//! small mapping, checked by the same rules as ever.

use std::{borrow::Cow, collections::BTreeMap};

use saphyr::{LoadableYamlNode, Yaml, YamlData};
use saphyr_parser::{Event, Marker, Parser, ScanError, Span, SpannedEventReceiver, Tag};

use super::{
    FileRoute, Node, Problem, RoutesFile, at, describe, duplicates, is_null, parse_entry, problem,
    scalar_text, sorted,
};

/// How many nodes aliases may copy in all, as saphyr's loader allows by
/// default (a "billion laughs" file fails instead of filling the memory).
const ALIAS_LIMIT: usize = 100_000;

/// Reads a routes file's text; every problem at once, by position.
pub(super) fn parse(text: &str) -> Result<RoutesFile, Vec<Problem>> {
    let mut reader = Reader::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut reader, true) {
        return Err(vec![invalid(&e)]);
    }
    if let Some(e) = &reader.error {
        return Err(vec![invalid(e)]);
    }
    let root = match (reader.first, reader.second) {
        (None, _) => {
            return Err(vec![Problem {
                line: 1,
                column: 1,
                message: "the file is empty; write `routes:` and a list of routes (`routes: []` for none)".into(),
            }]);
        }
        (Some(_), Some((line, column))) => {
            return Err(vec![Problem {
                line,
                column,
                message: "one YAML document only, please: remove `---` and what follows".into(),
            }]);
        }
        (Some(root), None) => root,
    };
    let mut problems = Vec::new();
    let YamlData::Mapping(top) = &root.data else {
        return Err(vec![problem(
            &root,
            format!(
                "the file is {}; it must be a mapping with one key, `routes`",
                describe(&root)
            ),
        )]);
    };
    let mut list = None;
    for (key, value) in top.iter() {
        match scalar_text(key) {
            Some("routes") => list = Some(value),
            other => problems.push(problem(
                key,
                format!(
                    "unknown key `{}` at the top; the only key is `routes`",
                    other.unwrap_or("?")
                ),
            )),
        }
    }
    let Some(list) = list else {
        problems.push(problem(
            &root,
            "no `routes:` key; the file must have a `routes` list",
        ));
        return Err(sorted(problems));
    };
    let entries: &[Node<'_>] = match &list.data {
        YamlData::Sequence(items) => items,
        _ if is_null(list) => &[],
        _ => {
            problems.push(problem(
                list,
                format!(
                    "`routes` is {}; it must be a list of routes (`- accessCode: …`)",
                    describe(list)
                ),
            ));
            return Err(sorted(problems));
        }
    };
    let read = match reader.streamed {
        // The list whose entries were read as they came (its node is empty).
        Some(streamed) if list.span.start == streamed.start => streamed.entries,
        _ => {
            let mut read = Entries::default();
            for entry in entries {
                read.add(entry);
            }
            read
        }
    };
    problems.extend(read.problems);
    problems.extend(duplicates(&read.routes));
    if problems.is_empty() {
        let mut routes = read.routes;
        routes.shrink_to_fit();
        Ok(RoutesFile::from_checked(routes))
    } else {
        Err(sorted(problems))
    }
}

/// A YAML error as the file's problem.
fn invalid(error: &ScanError) -> Problem {
    Problem {
        line: error.marker().line(),
        column: error.marker().col() + 1,
        message: format!("not valid YAML: {}", error.info()),
    }
}

/// The routes read so far, and the problems of the entries that are not.
#[derive(Default)]
struct Entries {
    routes: Vec<FileRoute>,
    problems: Vec<Problem>,
}

impl Entries {
    /// Checks one entry of the `routes` list.
    fn add(&mut self, entry: &Node<'_>) {
        if let Some((route, target_name, positions)) = parse_entry(entry, &mut self.problems) {
            let (line, column) = at(entry);
            self.routes.push(FileRoute {
                route,
                line,
                column,
                target_name,
                at: positions,
            });
        }
    }
}

/// The entries of a `routes` list read as they came, and where the list
/// starts (which tells its node, left empty, from any other).
struct Streamed {
    start: Marker,
    entries: Entries,
}

/// A collection being read, as saphyr's loader keeps it.
struct Open<'input> {
    node: Node<'input>,
    anchor: usize,
    tag: Option<Cow<'input, Tag>>,
}

/// Builds the document's nodes as saphyr's `YamlLoader` does (scalars as
/// written), except the entries of the first document's `routes` list,
/// which are checked one by one and not kept.
struct Reader<'input> {
    /// The documents read so far.
    documents: usize,
    /// The first document's root.
    first: Option<Node<'input>>,
    /// Where the second document starts, if there is one.
    second: Option<(usize, usize)>,
    /// The collections being read, outermost first.
    open: Vec<Open<'input>>,
    /// For each mapping being read: its pending key, and where that key was
    /// (a duplicate key is reported there).
    keys: Vec<(Node<'input>, Marker)>,
    /// The anchored nodes, by anchor id.
    anchors: BTreeMap<usize, Node<'input>>,
    /// How many more nodes aliases may copy.
    alias_budget: usize,
    /// The index in `open` of the `routes` list whose entries are checked as
    /// they come.
    streaming: Option<usize>,
    /// What that list read.
    streamed: Option<Streamed>,
    /// The first error; the events after it are ignored.
    error: Option<ScanError>,
}

impl Default for Reader<'_> {
    fn default() -> Self {
        Reader {
            documents: 0,
            first: None,
            second: None,
            open: Vec::new(),
            keys: Vec::new(),
            anchors: BTreeMap::new(),
            alias_budget: ALIAS_LIMIT,
            streaming: None,
            streamed: None,
            error: None,
        }
    }
}

impl<'input> SpannedEventReceiver<'input> for Reader<'input> {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.read(event, span) {
            self.error = Some(e);
        }
    }
}

/// Whether a collection with this tag becomes a tagged node (not a list or
/// a mapping any more).
fn tags(tag: Option<&Cow<'_, Tag>>) -> bool {
    tag.is_some_and(|tag| !tag.is_yaml_core_schema())
}

impl<'input> Reader<'input> {
    fn read(&mut self, event: Event<'input>, span: Span) -> Result<(), ScanError> {
        let mark = span.start;
        match event {
            Event::DocumentStart(_) | Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentEnd => {
                let root = match self.open.pop() {
                    Some(open) => open.node,
                    None => Node::from_bare_yaml(Yaml::BadValue).with_span(span),
                };
                match self.documents {
                    0 => self.first = Some(root),
                    1 => self.second = Some(at(&root)),
                    _ => {}
                }
                self.documents += 1;
            }
            Event::SequenceStart(anchor, tag) => {
                if anchor == 0 && !tags(tag.as_ref()) && self.opens_routes_list() {
                    self.streaming = Some(self.open.len());
                    self.streamed = Some(Streamed {
                        start: mark,
                        entries: Entries::default(),
                    });
                }
                self.open.push(Open {
                    node: Node::from_bare_yaml(Yaml::Sequence(Vec::new())).with_start_marker(mark),
                    anchor,
                    tag,
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.open.push(Open {
                    node: Node::from_bare_yaml(Yaml::Mapping(saphyr::Mapping::new()))
                        .with_start_marker(mark),
                    anchor,
                    tag,
                });
                self.keys.push((Node::from_bare_yaml(Yaml::BadValue), mark));
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if event == Event::MappingEnd {
                    self.keys.pop();
                }
                let Some(Open {
                    mut node,
                    anchor,
                    tag,
                }) = self.open.pop()
                else {
                    return Ok(());
                };
                if self.streaming == Some(self.open.len()) {
                    self.streaming = None;
                }
                node = node.with_end_marker(mark);
                if let Some(tag) = tag
                    && !tag.is_yaml_core_schema()
                {
                    node = node.into_tagged(tag);
                }
                self.insert(node, anchor, None, mark)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = Yaml::Representation(text, style, tag.clone());
                self.insert(
                    Node::from_bare_yaml(node).with_span(span),
                    anchor,
                    tag,
                    mark,
                )?;
            }
            Event::Alias(id) => {
                let node = self.resolve_alias(id, mark);
                self.insert(node.with_span(span), 0, None, mark)?;
            }
        }
        Ok(())
    }

    /// Whether the list starting now is the first document's `routes` list:
    /// the value of the key `routes` of the root mapping.
    fn opens_routes_list(&self) -> bool {
        self.documents == 0
            && matches!(self.open.as_slice(), [root] if matches!(root.node.data, YamlData::Mapping(_)))
            && matches!(self.keys.as_slice(), [(key, _)] if scalar_text(key) == Some("routes"))
    }

    /// Puts a finished node in its parent, as saphyr's loader does: an entry
    /// of the `routes` list being read is checked instead.
    fn insert(
        &mut self,
        mut node: Node<'input>,
        anchor: usize,
        tag: Option<Cow<'input, Tag>>,
        mark: Marker,
    ) -> Result<(), ScanError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let depth = self.open.len();
        let Some(parent) = self.open.last_mut() else {
            self.open.push(Open { node, anchor, tag });
            return Ok(());
        };
        if let Some(tag) = tag
            && (node.is_sequence() || node.is_mapping())
            && !tag.is_yaml_core_schema()
        {
            node = node.into_tagged(tag);
        }
        match &mut parent.node.data {
            YamlData::Sequence(items) => {
                if self.streaming == Some(depth - 1)
                    && let Some(streamed) = &mut self.streamed
                {
                    streamed.entries.add(&node);
                } else {
                    items.push(node);
                }
            }
            YamlData::Mapping(mapping) => {
                let Some((key, key_mark)) = self.keys.last_mut() else {
                    return Ok(());
                };
                if key.is_badvalue() {
                    *key = node;
                    *key_mark = mark;
                } else if mapping.insert(key.take(), node).is_some() {
                    return Err(ScanError::new_str(*key_mark, "duplicated key in mapping"));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A copy of the node an alias names, within the budget of copied nodes
    /// (an unknown anchor, or one beyond the budget, reads as a bad value).
    fn resolve_alias(&mut self, id: usize, mark: Marker) -> Node<'input> {
        let Some(existing) = self.anchors.get(&id) else {
            return Node::from_bare_yaml(Yaml::BadValue);
        };
        let mut remaining = self.alias_budget;
        if within_budget(existing, &mut remaining) {
            self.alias_budget = remaining;
            existing.clone()
        } else {
            self.error = Some(ScanError::new_str(
                mark,
                "alias expansion exceeded the maximum node budget (possible billion-laughs attack)",
            ));
            Node::from_bare_yaml(Yaml::BadValue)
        }
    }
}

/// Counts `node`'s nodes off `budget` as saphyr's loader does (a mapping's
/// key counts as one node); `false` once the budget is spent.
fn within_budget(node: &Node<'_>, budget: &mut usize) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match &node.data {
        YamlData::Sequence(items) => items.iter().all(|item| within_budget(item, budget)),
        YamlData::Mapping(mapping) => mapping.values().all(|value| {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            within_budget(value, budget)
        }),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use proptest::{prelude::*, string::string_regex};

    use super::*;

    /// Reads `text` both ways: through the events, and through saphyr's
    /// whole-document loader as the routes file was read before.
    fn both(
        text: &str,
    ) -> (
        Result<RoutesFile, Vec<Problem>>,
        Result<RoutesFile, Vec<Problem>>,
    ) {
        (parse(text), super::super::parse(text))
    }

    fn assert_same(text: &str) {
        let (events, document) = both(text);
        assert_eq!(events, document, "read differently: {text:?}");
    }

    #[test]
    fn a_route_entry_can_be_an_alias_of_an_earlier_one() {
        let text = "routes:\n  - &first {accessCode: \"1\", ivr: 7}\n  - *first\n";
        let problems = parse(text).unwrap_err();
        assert_eq!(problems[0].line, 3);
        assert!(problems[0].message.contains("routed twice"));
        assert_same(text);
    }

    #[test]
    fn a_value_can_be_an_alias() {
        let text = "routes:\n  - accessCode: &code \"1\"\n    ivr: 7\n  - accessCode: *code\n    extCode: \"2\"\n    ivr: 7\n";
        assert_eq!(parse(text).unwrap().routes()[1].route.access_code(), "1");
        assert_same(text);
    }

    #[test]
    fn an_anchored_routes_list_reads_as_any_other() {
        assert_same("routes: &all\n  - accessCode: \"1\"\n    ivr: 7\nmore: *all\n");
        assert_same("routes: &all []\nmore: *all\n");
    }

    #[test]
    fn a_duplicate_key_is_invalid_yaml_wherever_it_is() {
        let text = "routes:\n  - accessCode: \"1\"\n    ivr: 7\n    other: {a: 1, a: 2}\n";
        let problems = parse(text).unwrap_err();
        assert_eq!(
            problems[0].message,
            "not valid YAML: duplicated key in mapping"
        );
        assert_eq!((problems[0].line, problems[0].column), (4, 19));
        assert_same(text);
        assert_same("routes: []\nroutes: []\n");
        assert_same("routes:\n  - accessCode: \"1\"\n    accessCode: \"1\"\n");
        assert_same("routes:\n  - {[a]: 1, [a]: 2}\n");
    }

    #[test]
    fn the_last_of_two_routes_keys_written_differently_is_read() {
        assert_same("routes:\n  - accessCode: \"1\"\n    ivr: 7\n'routes': []\n");
        assert_same("routes: []\n\"routes\":\n  - accessCode: \"1\"\n    ivr: 7\n");
        assert_same("routes:\n  - accessCode: \"1\"\n    ivr: 7\n'routes': 5\n");
        assert_same("routes:\n  - accessCode: \"1\"\n    ivr: x\n'routes': &r\n  - {}\n");
    }

    #[test]
    fn a_tagged_list_or_file_is_a_value() {
        assert_same("routes: !mine\n  - accessCode: \"1\"\n    ivr: 7\n");
        assert_same("routes: !!seq\n  - accessCode: \"1\"\n    ivr: 7\n");
        assert_same("!mine\nroutes:\n  - accessCode: \"1\"\n    ivr: 7\n");
        assert_same("routes:\n  - !mine {accessCode: \"1\", ivr: 7}\n");
    }

    #[test]
    fn a_second_document_is_refused_where_it_starts() {
        let problems = parse("routes: []\n---\nroutes: []\n").unwrap_err();
        // The second document's first line, with the way out.
        assert_eq!(
            (problems[0].line, problems[0].column),
            (3, 1),
            "{problems:?}"
        );
        assert!(
            problems[0].message.contains("one YAML document only") && problems.len() == 1,
            "{problems:?}"
        );
        assert_same("routes: []\n---\nroutes: []\n");
        assert_same("routes: []\n---\n- {a: 1, a: 1}\n");
        assert_same("---\n---\n");
        assert_same("routes: []\n...\n");
    }

    #[test]
    fn an_alias_copying_too_many_nodes_is_invalid_yaml() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (name, earlier) in [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d")] {
            let copies = vec![format!("*{earlier}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{copies}]\n"));
        }
        text.push_str("routes: []\n");
        let problems = parse(&text).unwrap_err();
        assert!(problems[0].message.contains("alias expansion exceeded"));
        assert_same(&text);
    }

    #[test]
    fn odd_keys_read_as_before() {
        assert_same("? [routes]\n: []\nroutes: []\n");
        assert_same("~: 1\nroutes:\n  - {~: 1, accessCode: \"1\", ivr: 7}\n");
        assert_same("routes:\n  - ? accessCode\n    : \"1\"\n    ivr: 7\n");
        assert_same("&r routes: []\n");
        assert_same("routes: &l\n  - &e {accessCode: *l, ivr: 7}\n");
    }

    /// A scalar's text: codes, numbers, names, and strings that need care.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => string_regex("[0-9]{1,6}").expect("a regex"),
            1 => string_regex("[0-9*#]{1,4}").expect("a regex"),
            2 => prop::sample::select(vec![
                "video", "voice-and-video", "19", "5", "53", "fax", "defaultVideoSkill",
                "011", "0x1F", "1e3", "-1", "+1", "2147483648", "1.5", "", " ", "~", "null",
                "true", "yes", "a\"b", "it's", "back\\slash", "line\u{2028}sep",
                "para\u{2029}sep", "\u{feff}bom", "tab\there", "new\nline", "日本語",
                "é", "#hash", "a: b", "- dash", "[x]", "{y}", "&a", "*a", "!t", "%p", "@at",
            ])
            .prop_map(str::to_owned),
            1 => any::<String>(),
        ]
    }

    /// A scalar as YAML writes it: plain (when it reads back as itself,
    /// or now and then when it may not), single-quoted or double-quoted.
    fn scalar() -> impl Strategy<Value = String> {
        text()
            .prop_flat_map(|text| {
                let plain = text
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_.+".contains(c))
                    && !text.starts_with('-');
                (Just(text), if plain { 0..5u8 } else { 0..20u8 })
            })
            .prop_map(|(text, style)| match style {
                0 | 1 => text,
                2..=9 => format!("'{}'", text.replace('\'', "''")),
                _ => {
                    let mut out = String::from("\"");
                    for c in text.chars() {
                        match c {
                            '"' => out.push_str("\\\""),
                            '\\' => out.push_str("\\\\"),
                            '\n' => out.push_str("\\n"),
                            '\u{2028}' if text.len() % 2 == 0 => out.push_str("\\L"),
                            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                            c => out.push(c),
                        }
                    }
                    out.push('"');
                    out
                }
            })
    }

    /// Anchor or alias names: few, so that aliases find their anchors.
    fn name() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["a", "b"]).prop_map(str::to_owned)
    }

    /// A value in flow style: a scalar, an alias, an anchored or tagged
    /// value, or a list or mapping of values.
    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            16 => scalar(),
            1 => name().prop_map(|name| format!("*{name}")),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|items| format!("[{}]", items.join(", "))),
                prop::collection::vec((inner.clone(), inner.clone()), 0..4).prop_map(|pairs| {
                    let pairs: Vec<String> =
                        pairs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{{{}}}", pairs.join(", "))
                }),
                (name(), inner.clone()).prop_map(|(name, value)| format!("&{name} {value}")),
                (
                    prop::sample::select(vec!["!t", "!!str", "!!map", "!!seq"]),
                    inner
                )
                    .prop_map(|(tag, value)| format!("{tag} {value}")),
            ]
        })
    }

    /// A key of a route entry: mostly the known ones, some written quoted.
    fn entry_key() -> impl Strategy<Value = String> {
        prop_oneof![
            12 => prop::sample::select(vec![
                "accessCode", "accessCode", "extCode", "skillQueue", "ivr", "mediaType",
                "'accessCode'", "\"ivr\"",
            ])
            .prop_map(str::to_owned),
            1 => prop::sample::select(vec!["queue", "~", "? [x]\n   ", "&a ivr", "*a", "!t ivr"])
                .prop_map(str::to_owned),
        ]
    }

    /// A value of a route entry: mostly scalars.
    fn entry_value() -> impl Strategy<Value = String> {
        prop_oneof![
            10 => scalar(),
            1 => (name(), scalar()).prop_map(|(name, value)| format!("&{name} {value}")),
            1 => value(),
        ]
    }

    /// A route's fields as a route is written: an access code, a skill
    /// queue or an IVR flow, perhaps an extension code and a media type.
    fn route_fields() -> impl Strategy<Value = Vec<(String, String)>> {
        let code = || {
            prop_oneof![
                3 => string_regex("[0-9]{1,8}").expect("a regex"),
                1 => string_regex("'[0-9*#]{1,4}'").expect("a regex"),
                1 => scalar(),
            ]
        };
        let device = prop_oneof![Just("skillQueue"), Just("ivr")];
        // A target is an id, or a name (anything not starting with a digit).
        let target = prop_oneof![
            2 => string_regex("[0-9]{1,9}").expect("a regex"),
            1 => scalar(),
        ];
        let media = prop_oneof![
            3 => prop::sample::select(vec!["video", "'19'", "5", "voice-and-video", "\"video\""])
                .prop_map(str::to_owned),
            1 => scalar(),
        ];
        (
            code(),
            prop::option::of(code()),
            device,
            target,
            prop::option::weighted(0.3, media),
        )
            .prop_map(|(access, ext, device, target, media)| {
                let mut fields = vec![("accessCode".to_owned(), access)];
                if let Some(ext) = ext {
                    fields.push(("extCode".to_owned(), ext));
                }
                fields.push((device.to_owned(), target));
                if let Some(media) = media {
                    fields.push(("mediaType".to_owned(), media));
                }
                fields
            })
    }

    /// A route entry: block style (one key a line) or flow style.
    fn entry() -> impl Strategy<Value = String> {
        let fields = prop_oneof![
            8 => route_fields(),
            1 => prop::collection::vec((entry_key(), entry_value()), 0..4),
        ];
        (fields, 0..6u8, prop::option::weighted(0.1, name())).prop_map(|(fields, style, anchor)| {
            let anchor = anchor.map(|name| format!("&{name} ")).unwrap_or_default();
            match style {
                0 => format!(
                    "  - {anchor}{{{}}}\n",
                    fields
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                1 if fields.is_empty() => "  - *a\n".to_owned(),
                _ if fields.is_empty() => "  -\n".to_owned(),
                _ => {
                    let mut out = String::from("  - ");
                    if !anchor.is_empty() {
                        out.push_str(&format!("{anchor}\n    "));
                    }
                    for (i, (k, v)) in fields.iter().enumerate() {
                        if i > 0 {
                            out.push_str("    ");
                        }
                        out.push_str(&format!("{k}: {v}\n"));
                    }
                    out
                }
            }
        })
    }

    /// A routes file: a `routes` list of entries, half of the time with
    /// other keys, a second `routes`, an anchor or tag on the list, or a
    /// second document now and then.
    fn routes_file() -> impl Strategy<Value = String> {
        let before = prop::option::weighted(0.1, (scalar(), value()));
        let list_prefix = prop::sample::select(vec!["", "", "", "", "", "&a", "!t", "!!seq"]);
        let after = prop::option::weighted(
            0.1,
            prop::sample::select(vec![
                "'routes': []\n",
                "other: *a\n",
                "routes: []\n",
                "---\nroutes: []\n",
                "...\n",
                "\"routes\":\n  - {accessCode: '1', ivr: 1}\n",
            ]),
        );
        let odd = (
            before,
            list_prefix,
            prop::collection::vec(entry(), 0..12),
            after,
        );
        let plain =
            prop::collection::vec(entry(), 0..12).prop_map(|entries| (None, "", entries, None));
        prop_oneof![odd, plain].prop_map(|(before, prefix, entries, after)| {
            let mut text = String::new();
            if let Some((key, value)) = before {
                text.push_str(&format!("{key}: {value}\n"));
            }
            text.push_str(&format!("routes: {prefix}\n"));
            for entry in entries {
                text.push_str(&entry);
            }
            text.push_str(after.unwrap_or_default());
            text
        })
    }

    proptest! {
        // A failure prints its smallest case; nothing is written to the tree.
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn the_events_read_every_file_as_the_whole_document_did(text in routes_file()) {
            let (events, document) = both(&text);
            prop_assert_eq!(events, document, "{:?}", text);
        }
    }
}
