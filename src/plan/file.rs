//! The routes file: YAML in, checked routes out, every problem at once with
//! its line and column; and the other way, live routes written as a file.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt, io,
    path::Path,
};

use saphyr::{MarkedYaml, Scalar, YamlData};
use saphyr_parser::ScalarStyle;

use crate::{
    create_called_route::CalledRoute, device::Device, error::Error, listed::Listed,
    media_type::MediaType, query_called_route::Route,
};

mod read;

/// The keys a route entry may have.
const ENTRY_KEYS: [&str; 5] = ["accessCode", "extCode", "skillQueue", "ivr", "mediaType"];

/// One route of a routes file, with where it was written.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FileRoute {
    /// The route, checked by [`CalledRoute`]'s rules.
    pub route: CalledRoute,
    /// The line of the entry (1-based; 0 for a route not read from text).
    pub line: usize,
    /// The column of the entry (1-based; 0 for a route not read from text).
    pub column: usize,
    /// The name `skillQueue` or `ivr` gave instead of an id
    /// (`skillQueue: defaultVideoSkill`): until it is resolved against the
    /// tenant ([`check`](crate::plan::check)), the route's device id is 0.
    pub target_name: Option<String>,
    /// Where each value was written, for the checks' problems.
    pub(crate) at: Positions,
}

/// Where a route's values were written (line, column; 1-based, 0 when not
/// read from text).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Positions {
    pub(crate) access_code: (usize, usize),
    pub(crate) device: (usize, usize),
    pub(crate) media_type: Option<(usize, usize)>,
}

impl FileRoute {
    /// A route not read from text (line and column 0).
    pub fn new(route: CalledRoute) -> Self {
        FileRoute {
            route,
            line: 0,
            column: 0,
            target_name: None,
            at: Positions::default(),
        }
    }
}

/// A routes file: the routes CEC should hold, one per access code +
/// extension code.
///
/// ```yaml
/// routes:
///   - accessCode: "9911411"
///     extCode: "11"        # optional
///     skillQueue: 1        # or  ivr: 7
///     mediaType: video     # optional: a name or the documented number
/// ```
///
/// A route without `mediaType` is created without one, and CEC then uses
/// voice and video (5): for planning, "no media type" and `voice-and-video`
/// are the same.
///
/// # Examples
///
/// ```
/// use cec_routes::{Device, plan::RoutesFile};
///
/// let file = RoutesFile::parse("routes:\n  - accessCode: \"9911411\"\n    ivr: 7\n")?;
/// assert_eq!(file.routes()[0].route.device(), Device::Ivr(7));
///
/// let text = "routes:\n  - accessCode: \"9911411\"\n    ivr: 7\n    queue: 1\n";
/// let problems = RoutesFile::parse(text).unwrap_err();
/// assert_eq!(problems.to_string(), "the routes file has 1 problem; nothing was sent\n  \
///     4:5: unknown key `queue`; a route takes `accessCode`, `extCode`, `skillQueue`, `ivr`, `mediaType`");
/// # Ok::<(), cec_routes::plan::RoutesFileError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoutesFile {
    routes: Vec<FileRoute>,
}

/// One thing wrong with a routes file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// The line (1-based).
    pub line: usize,
    /// The column (1-based).
    pub column: usize,
    /// What is wrong, and what to write instead.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Everything wrong with a routes file (never empty), in the file's order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct RoutesFileError {
    /// The file's name, when it was read from one.
    pub source_name: Option<String>,
    /// The problems, by line.
    pub problems: Vec<Problem>,
}

impl fmt::Display for RoutesFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.source_name.as_deref().unwrap_or("the routes file");
        let count = self.problems.len();
        write!(
            f,
            "{name} has {count} problem{}; nothing was sent",
            if count == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            match &self.source_name {
                Some(source) => write!(f, "\n  {source}:{problem}")?,
                None => write!(f, "\n  {problem}")?,
            }
        }
        Ok(())
    }
}

impl From<RoutesFileError> for Error {
    fn from(error: RoutesFileError) -> Self {
        Error::invalid("routes file", error)
    }
}

impl RoutesFile {
    /// Reads a routes file from YAML text; every problem is reported at
    /// once, each with its line and column.
    pub fn parse(text: &str) -> Result<Self, RoutesFileError> {
        read::parse(text).map_err(|problems| RoutesFileError {
            source_name: None,
            problems,
        })
    }

    /// Reads a routes file from disk, as [`parse`](RoutesFile::parse) does;
    /// problems name the file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, RoutesFileError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RoutesFileError {
            source_name: Some(name.clone()),
            problems: vec![Problem {
                line: 0,
                column: 0,
                message: format!("could not be read: {e}"),
            }],
        })?;
        read::parse(&text).map_err(|problems| RoutesFileError {
            source_name: Some(name),
            problems,
        })
    }

    /// A routes file holding these routes; fails if two share an access code
    /// and extension code.
    pub fn from_routes(
        routes: impl IntoIterator<Item = CalledRoute>,
    ) -> Result<Self, RoutesFileError> {
        let routes: Vec<FileRoute> = routes.into_iter().map(FileRoute::new).collect();
        let problems = duplicates(&routes);
        if problems.is_empty() {
            Ok(RoutesFile { routes })
        } else {
            Err(RoutesFileError {
                source_name: None,
                problems,
            })
        }
    }

    /// The live routes as a routes file, in a stable order (access code,
    /// then extension code, shortest first); the routes a file cannot
    /// describe (an undocumented device or media type) are returned apart,
    /// with the reason. [`RoutesExport`] does the same a page at a time.
    pub fn export(live: &[Route]) -> (RoutesFile, Vec<(Route, String)>) {
        let mut export = RoutesExport::new();
        for route in live {
            export.push(route);
        }
        let (routes, skipped) = export.finish();
        let routes = routes.into_iter().map(FileRoute::new).collect();
        (RoutesFile { routes }, skipped)
    }

    /// A file of routes already checked (their positions kept).
    pub(crate) fn from_checked(routes: Vec<FileRoute>) -> Self {
        RoutesFile { routes }
    }

    /// The routes, in the file's order.
    pub fn routes(&self) -> &[FileRoute] {
        &self.routes
    }

    /// The access codes the file names, sorted: the only ones `--prune`
    /// touches.
    pub fn access_codes(&self) -> Vec<String> {
        // Each code copied once, not once per route: a file of 100,000
        // routes under a few codes holds a few strings.
        let codes: BTreeSet<&str> = self.routes.iter().map(|r| r.route.access_code()).collect();
        codes.into_iter().map(str::to_owned).collect()
    }

    /// The file as YAML, one entry per route in the file's order; what
    /// [`parse`](RoutesFile::parse) reads back to the same routes.
    /// [`RoutesFileWriter`] writes the same text a route at a time.
    pub fn to_yaml(&self) -> String {
        let mut writer = RoutesFileWriter::new(Vec::new());
        for FileRoute {
            route, target_name, ..
        } in &self.routes
        {
            writer
                .route(route, target_name.as_deref())
                .expect("writing to memory cannot fail");
        }
        let bytes = writer.finish().expect("writing to memory cannot fail");
        String::from_utf8(bytes).expect("the writer writes only text")
    }
}

/// The first lines of every routes file `export` writes.
const HEADER: &str = "# cec-routes routes file: one entry per route, keyed by accessCode + extCode.\n\
     # Each entry takes skillQueue or ivr (an id or a name); mediaType is optional\n\
     # (none: a skill queue's own media type, checked against the tenant; voice-and-video for an IVR flow).\n";

/// Live routes gathered into a routes file as they are listed, a page at a
/// time: each route is kept as the file would write it (or set apart with
/// the reason the file cannot describe it), then
/// [`finish`](RoutesExport::finish) puts them in the file's order. What
/// [`RoutesFile::export`] does, without holding the listed routes.
///
/// # Examples
///
/// ```
/// use cec_routes::{Device, Route, plan::{RoutesExport, RoutesFileWriter}};
///
/// let mut export = RoutesExport::new();
/// export.push(&Route::new("9911412", Device::Ivr(7)));
/// export.push(&Route::new("9911411", Device::SkillQueue(1)));
/// let (routes, skipped) = export.finish();
/// assert!(skipped.is_empty());
///
/// let mut writer = RoutesFileWriter::new(Vec::new());
/// for route in &routes {
///     writer.route(route, None)?;
/// }
/// let text = String::from_utf8(writer.finish()?).expect("text");
/// assert!(text.ends_with("routes:\n  - accessCode: \"9911411\"\n    skillQueue: 1\n  \
///     - accessCode: \"9911412\"\n    ivr: 7\n"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct RoutesExport {
    routes: Vec<CalledRoute>,
    skipped: Vec<(Route, String)>,
}

impl RoutesExport {
    /// No routes yet.
    pub fn new() -> Self {
        RoutesExport::default()
    }

    /// Adds a listed route.
    pub fn push(&mut self, route: &Route) {
        match to_called_route(route) {
            Ok(called) => self.routes.push(called),
            Err(reason) => self.skipped.push((route.clone(), reason)),
        }
    }

    /// The routes in the file's order (access code, then extension code,
    /// shortest first; of two with the same access code and extension code,
    /// the one listed first), and those a file cannot describe, with the
    /// reason, in the order they were listed.
    pub fn finish(self) -> (Vec<CalledRoute>, Vec<(Route, String)>) {
        let RoutesExport {
            mut routes,
            skipped,
        } = self;
        routes.sort_by(file_order);
        routes.dedup_by(|a, b| key_order(a) == key_order(b));
        (routes, skipped)
    }
}

/// Writes a routes file a route at a time: the text
/// [`RoutesFile::to_yaml`] gives, without holding the file.
///
/// A writer that is not finished leaves text that may read as a shorter
/// routes file; end it with [`fail`](RoutesFileWriter::fail) when the
/// routes cannot all be written, so that no reader takes it for the whole
/// file.
///
/// # Examples
///
/// ```
/// use cec_routes::{CalledRoute, Device, plan::{RoutesFile, RoutesFileWriter}};
///
/// let route = CalledRoute::new("9911411", Device::SkillQueue(1)).expect("a valid route");
/// let mut writer = RoutesFileWriter::new(Vec::new());
/// writer.route(&route, Some("defaultVideoSkill"))?;
/// let text = String::from_utf8(writer.finish()?).expect("text");
/// assert!(RoutesFile::parse(&text).is_ok());
///
/// let mut writer = RoutesFileWriter::new(Vec::new());
/// writer.route(&route, None)?;
/// let text = String::from_utf8(writer.fail("the second page failed")?).expect("text");
/// assert!(RoutesFile::parse(&text).is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct RoutesFileWriter<W> {
    out: W,
    /// Whether the header has been written.
    started: bool,
    /// Whether `routes:` and a route have been written.
    listing: bool,
}

impl<W: io::Write> RoutesFileWriter<W> {
    /// A writer to `out`; nothing is written before the first route, the
    /// end or the failure.
    pub fn new(out: W) -> Self {
        RoutesFileWriter {
            out,
            started: false,
            listing: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.out.write_all(HEADER.as_bytes())?;
            self.started = true;
        }
        Ok(())
    }

    /// Writes one route's entry; its skill queue or IVR flow by
    /// `target_name` when one is given, by id otherwise.
    pub fn route(&mut self, route: &CalledRoute, target_name: Option<&str>) -> io::Result<()> {
        self.start()?;
        if !self.listing {
            self.out.write_all(b"routes:\n")?;
            self.listing = true;
        }
        let out = &mut self.out;
        writeln!(out, "  - accessCode: {}", quoted(route.access_code()))?;
        if let Some(ext) = route.ext_code() {
            writeln!(out, "    extCode: {}", quoted(ext))?;
        }
        let key = match route.device() {
            Device::SkillQueue(_) => "skillQueue",
            Device::Ivr(_) => "ivr",
        };
        match target_name {
            Some(name) => writeln!(out, "    {key}: {}", quoted(name))?,
            None => writeln!(out, "    {key}: {}", route.device().id())?,
        }
        if let Some(media) = route.media_type() {
            writeln!(out, "    mediaType: {}", media.name())?;
        }
        Ok(())
    }

    /// Ends the file (`routes: []` when no route was written), and gives
    /// `out` back, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        self.start()?;
        if !self.listing {
            self.out.write_all(b"routes: []\n")?;
        }
        self.out.flush()?;
        Ok(self.out)
    }

    /// Ends the text with a line that says why it is incomplete and that no
    /// YAML reader accepts (it starts with `@`, which YAML reserves), so
    /// that what was written cannot be loaded, planned or applied as a
    /// shorter routes file; gives `out` back, flushed.
    pub fn fail(mut self, reason: &str) -> io::Result<W> {
        let reason: String = reason
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        writeln!(
            self.out,
            "@ cec-routes export failed: {reason}; the routes above are incomplete: do not apply them"
        )?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The order of routes in an exported file: access code, then no extension
/// code first, then extension codes shortest first (so `2` before `10`).
fn file_order(a: &CalledRoute, b: &CalledRoute) -> std::cmp::Ordering {
    key_order(a).cmp(&key_order(b))
}

/// The key [`file_order`] compares, borrowed from the route: no key is
/// allocated per comparison.
fn key_order(route: &CalledRoute) -> (&str, usize, &str) {
    let ext = route.ext_code().unwrap_or_default();
    (route.access_code(), ext.chars().count(), ext)
}

/// Whether a routes file can describe this live route.
pub(super) fn describable(route: &Route) -> bool {
    to_called_route(route).is_ok()
}

/// A live route as the file would write it.
fn to_called_route(route: &Route) -> Result<CalledRoute, String> {
    let device = match &route.device {
        Listed::Known(device) => *device,
        Listed::Unknown(raw) => return Err(format!("its device is not a documented one ({raw})")),
    };
    let mut called = CalledRoute::new(&route.access_code, device).map_err(|e| e.to_string())?;
    if let Some(ext) = &route.ext_code {
        called = called.with_ext_code(ext).map_err(|e| e.to_string())?;
    }
    match &route.media_type {
        None => {}
        Some(Listed::Known(media)) => {
            called = called.with_media_type(*media).map_err(|e| e.to_string())?;
        }
        Some(Listed::Unknown(raw)) => {
            return Err(format!("its media type is not a documented one ({raw})"));
        }
    }
    Ok(called)
}

/// A YAML double-quoted string. Escaped: the characters YAML does not allow
/// as they are (controls, U+FFFE, U+FFFF); a byte order mark, which YAML 1.2
/// (§5.2) says to escape inside a scalar; and U+2028 and U+2029, line breaks
/// to YAML 1.1 readers (libyaml, PyYAML), which would fold the spaces after
/// them away.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}'
                ) =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

type Node<'a> = MarkedYaml<'a>;

/// The position of a node, 1-based.
fn at(node: &Node<'_>) -> (usize, usize) {
    (node.span.start.line(), node.span.start.col() + 1)
}

fn problem(node: &Node<'_>, message: impl Into<String>) -> Problem {
    let (line, column) = at(node);
    Problem {
        line,
        column,
        message: message.into(),
    }
}

/// A scalar's text as written (codes keep their leading zeros), or `None`
/// for a null or a collection.
fn scalar_text<'a>(node: &'a Node<'_>) -> Option<&'a str> {
    match &node.data {
        YamlData::Representation(text, style, _) => {
            let text: &str = text;
            let null =
                *style == ScalarStyle::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL");
            (!null).then_some(text)
        }
        YamlData::Value(Scalar::String(text)) => Some(text),
        _ => None,
    }
}

fn is_null(node: &Node<'_>) -> bool {
    match &node.data {
        YamlData::Representation(text, ScalarStyle::Plain, _) => {
            matches!(&**text, "" | "~" | "null" | "Null" | "NULL")
        }
        YamlData::Value(Scalar::Null) => true,
        _ => false,
    }
}

fn describe(node: &Node<'_>) -> &'static str {
    match &node.data {
        YamlData::Sequence(_) => "a list",
        YamlData::Mapping(_) => "a mapping",
        _ if is_null(node) => "empty",
        _ => "a value",
    }
}

/// The routes file read through saphyr's whole-document loader: what
/// [`read::parse`] must agree with.
#[cfg(test)]
fn parse(text: &str) -> Result<RoutesFile, Vec<Problem>> {
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut loader = saphyr::YamlLoader::<Node<'_>>::default();
    // Scalars stay as written: `extCode: 011` keeps its zero.
    loader.early_parse(false);
    if let Err(e) = parser.load(&mut loader, true) {
        return Err(vec![Problem {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: format!("not valid YAML: {}", e.info()),
        }]);
    }
    if let Some(e) = loader.error() {
        return Err(vec![Problem {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: format!("not valid YAML: {}", e.info()),
        }]);
    }
    let documents = loader.into_documents();
    let root = match documents.as_slice() {
        [] => {
            return Err(vec![Problem {
                line: 1,
                column: 1,
                message: "the file is empty; write `routes:` and a list of routes (`routes: []` for none)".into(),
            }]);
        }
        [root] => root,
        [_, second, ..] => {
            return Err(vec![problem(
                second,
                "one YAML document only, please: remove `---` and what follows",
            )]);
        }
    };
    let mut problems = Vec::new();
    let YamlData::Mapping(top) = &root.data else {
        return Err(vec![problem(
            root,
            format!(
                "the file is {}; it must be a mapping with one key, `routes`",
                describe(root)
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
            root,
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
    let mut routes = Vec::new();
    for entry in entries {
        if let Some((route, target_name, positions)) = parse_entry(entry, &mut problems) {
            let (line, column) = at(entry);
            routes.push(FileRoute {
                route,
                line,
                column,
                target_name,
                at: positions,
            });
        }
    }
    problems.extend(duplicates(&routes));
    if problems.is_empty() {
        Ok(RoutesFile { routes })
    } else {
        Err(sorted(problems))
    }
}

fn sorted(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by_key(|p| (p.line, p.column));
    problems
}

/// The same access code + extension code more than once.
fn duplicates(routes: &[FileRoute]) -> Vec<Problem> {
    let mut first: BTreeMap<(&str, Option<&str>), &FileRoute> = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in routes {
        let key = (entry.route.access_code(), entry.route.ext_code());
        match first.get(&key) {
            Some(earlier) => problems.push(Problem {
                line: entry.line,
                column: entry.column,
                message: format!(
                    "access code {} {} is routed twice; the first is at line {}: keep one",
                    key.0,
                    key.1.map_or_else(
                        || "without an extension code".to_owned(),
                        |e| format!("extension code {e}")
                    ),
                    earlier.line
                ),
            }),
            None => {
                first.insert(key, entry);
            }
        }
    }
    problems
}

/// One entry: its problems go to `problems`; the route when it has none,
/// with the name its target was given by and where its values are.
fn parse_entry(
    entry: &Node<'_>,
    problems: &mut Vec<Problem>,
) -> Option<(CalledRoute, Option<String>, Positions)> {
    let YamlData::Mapping(fields) = &entry.data else {
        problems.push(problem(
            entry,
            format!(
                "a route is {}; it must be a mapping such as `- accessCode: \"9911411\"` with `skillQueue: 1`",
                describe(entry)
            ),
        ));
        return None;
    };
    let before = problems.len();
    let field = |name: &str| -> Option<(&Node<'_>, &Node<'_>)> {
        fields
            .iter()
            .find(|(key, _)| scalar_text(key) == Some(name))
    };
    let access = field("accessCode");
    let ext = field("extCode");
    let queue = field("skillQueue");
    let ivr = field("ivr");
    let media = field("mediaType");
    for (key, _) in fields.iter() {
        let name = scalar_text(key).unwrap_or("?");
        if !ENTRY_KEYS.contains(&name) {
            problems.push(problem(
                key,
                format!(
                    "unknown key `{name}`; a route takes {}",
                    ENTRY_KEYS.map(|k| format!("`{k}`")).join(", ")
                ),
            ));
        }
    }

    let access_code = match access {
        None => {
            problems.push(problem(entry, "the route has no `accessCode`"));
            None
        }
        Some((_, value)) => text_value(value, "accessCode", problems).map(|text| (text, value)),
    };
    let device = match (queue, ivr) {
        (Some(_), Some((ivr_key, _))) => {
            problems.push(problem(
                ivr_key,
                "the route has both `skillQueue` and `ivr`; keep one",
            ));
            None
        }
        (None, None) => {
            problems.push(problem(
                entry,
                "the route has neither `skillQueue` nor `ivr`; add one (e.g. `skillQueue: 1`)",
            ));
            None
        }
        (Some((_, value)), None) => id_value(value, "skillQueue", problems)
            .map(|(id, name)| (Device::SkillQueue(id), name, value)),
        (None, Some((_, value))) => {
            id_value(value, "ivr", problems).map(|(id, name)| (Device::Ivr(id), name, value))
        }
    };
    let ext_code = match ext {
        Some((_, value)) if is_null(value) => None,
        Some((_, value)) => text_value(value, "extCode", problems).map(|text| (text, value)),
        None => None,
    };
    let media_type = match media {
        Some((_, value)) if is_null(value) => None,
        Some((_, value)) => {
            match text_value(value, "mediaType", problems).map(|text| text.parse::<MediaType>()) {
                Some(Ok(media)) => Some((media, value)),
                Some(Err(e)) => {
                    problems.push(problem(value, reason(&e)));
                    None
                }
                None => None,
            }
        }
        None => None,
    };

    // Each value on its own first (with a stand-in for the others), so that
    // every problem is reported, then the rules between them.
    let stand_in = Device::Ivr(0);
    if let Some((code, node)) = access_code
        && let Err(e) = CalledRoute::new(code, stand_in)
    {
        problems.push(problem(node, reason(&e)));
    }
    if let Some((ext, node)) = ext_code
        && let Err(e) = CalledRoute::new("0", stand_in).and_then(|r| r.with_ext_code(ext))
    {
        problems.push(problem(node, reason(&e)));
    }
    if let Some((device, _, node)) = &device
        && let Err(e) = CalledRoute::new("0", *device)
    {
        problems.push(problem(node, reason(&e)));
    }
    if problems.len() != before {
        return None;
    }
    let ((code, code_node), (device, target_name, device_node)) = (access_code?, device?);
    let positions = Positions {
        access_code: at(code_node),
        device: at(device_node),
        media_type: media_type.as_ref().map(|(_, node)| at(node)),
    };
    let mut route = CalledRoute::new(code, device).ok()?;
    if let Some((ext, _)) = ext_code {
        route = route.with_ext_code(ext).ok()?;
    }
    if let Some((media, node)) = media_type {
        match route.clone().with_media_type(media) {
            Ok(with) => route = with,
            Err(e) => problems.push(problem(node, reason(&e))),
        }
    }
    (problems.len() == before).then_some((route, target_name, positions))
}

/// An error of the wrapper's rules, in the file's words.
fn reason(error: &Error) -> String {
    let text = error.to_string();
    let text = text.strip_prefix("invalid ").unwrap_or(&text).to_owned();
    text.replacen("mediaTypeId", "mediaType", 1)
        .replacen("devicetype", "device", 1)
}

fn text_value<'a>(node: &'a Node<'_>, name: &str, problems: &mut Vec<Problem>) -> Option<&'a str> {
    let text = scalar_text(node);
    if text.is_none() {
        problems.push(problem(
            node,
            format!(
                "`{name}` is {}; it must be a value such as \"9911411\"",
                describe(node)
            ),
        ));
    }
    text
}

/// A target's id, or its name (id 0 until resolved): `skillQueue: 1` or
/// `skillQueue: defaultVideoSkill`.
fn id_value(
    node: &Node<'_>,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Option<(u32, Option<String>)> {
    let text = scalar_text(node).map(str::trim);
    if let Some(text) = text
        && !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
    {
        return Some((0, Some(text.to_owned())));
    }
    let parsed = text
        .and_then(|text| text.parse::<u32>().ok())
        .filter(|id| i32::try_from(*id).is_ok());
    if parsed.is_none() {
        problems.push(problem(
            node,
            format!(
                "`{name}` must be a name or a whole number from 0 to {}, the {}'s id",
                i32::MAX,
                if name == "ivr" {
                    "IVR flow"
                } else {
                    "skill queue"
                }
            ),
        ));
    }
    parsed.map(|id| (id, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_their_leading_zeros() {
        let file =
            RoutesFile::parse("routes:\n- accessCode: 0991\n  extCode: 011\n  ivr: 7\n").unwrap();
        assert_eq!(file.routes()[0].route.access_code(), "0991");
        assert_eq!(file.routes()[0].route.ext_code(), Some("011"));
    }

    #[test]
    fn quoting_round_trips_odd_access_codes() {
        let route = CalledRoute::new("a\"b\\c", Device::Ivr(7)).unwrap();
        let file = RoutesFile::from_routes([route.clone()]).unwrap();
        let back = RoutesFile::parse(&file.to_yaml()).unwrap();
        assert_eq!(back.routes()[0].route, route);
    }

    fn written(routes: usize, end: impl FnOnce(RoutesFileWriter<Vec<u8>>) -> Vec<u8>) -> String {
        let mut writer = RoutesFileWriter::new(Vec::new());
        for n in 0..routes {
            let route = CalledRoute::new(format!("99114{n}"), Device::Ivr(7)).unwrap();
            writer.route(&route, None).unwrap();
        }
        String::from_utf8(end(writer)).unwrap()
    }

    #[test]
    fn the_writer_writes_each_route_as_an_entry_under_the_header() {
        let route = CalledRoute::new("9911411", Device::SkillQueue(1))
            .unwrap()
            .with_ext_code("11")
            .unwrap()
            .with_media_type(MediaType::Video)
            .unwrap();
        let mut writer = RoutesFileWriter::new(Vec::new());
        writer.route(&route, None).unwrap();
        writer.route(&route, Some("defaultVideoSkill")).unwrap();

        let entry = |target: &str| {
            format!(
                "  - accessCode: \"9911411\"\n    extCode: \"11\"\n    skillQueue: {target}\n    \
                 mediaType: video\n"
            )
        };
        assert_eq!(
            String::from_utf8(writer.finish().unwrap()).unwrap(),
            format!(
                "{HEADER}routes:\n{}{}",
                entry("1"),
                entry("\"defaultVideoSkill\"")
            )
        );
    }

    #[test]
    fn a_writer_without_routes_writes_an_empty_routes_file() {
        let text = written(0, |w| w.finish().unwrap());

        assert_eq!(text, format!("{HEADER}routes: []\n"));
        assert!(RoutesFile::parse(&text).unwrap().routes().is_empty());
    }

    #[test]
    fn a_failed_writer_leaves_text_that_does_not_load_whatever_was_written() {
        for routes in [0, 1, 3] {
            let text = written(routes, |w| w.fail("the page at offset 100 failed").unwrap());

            let problems = RoutesFile::parse(&text).expect_err(&text);
            assert!(
                problems.problems[0].message.starts_with("not valid YAML"),
                "{problems}"
            );
        }
    }

    #[test]
    fn a_failed_writer_names_the_failure_on_one_last_line() {
        let text = written(1, |w| w.fail("server failure\nsee\tlogs").unwrap());

        assert_eq!(
            text.lines().last(),
            Some(
                "@ cec-routes export failed: server failure see logs; the routes above are \
                 incomplete: do not apply them"
            )
        );
    }

    #[test]
    fn an_export_orders_routes_by_access_code_then_shorter_extension_codes_first() {
        let mut export = RoutesExport::new();
        for (code, ext) in [
            ("2", None),
            ("1", Some("10")),
            ("1", Some("2")),
            ("1", None),
        ] {
            let mut route = Route::new(code, Device::Ivr(7));
            route.ext_code = ext.map(str::to_owned);
            export.push(&route);
        }

        let (routes, _) = export.finish();

        let keys: Vec<_> = routes
            .iter()
            .map(|r| (r.access_code(), r.ext_code()))
            .collect();
        assert_eq!(
            keys,
            [
                ("1", None),
                ("1", Some("2")),
                ("1", Some("10")),
                ("2", None)
            ]
        );
    }

    #[test]
    fn an_export_keeps_the_first_listed_of_two_routes_with_one_key() {
        let mut export = RoutesExport::new();
        export.push(&Route::new("1", Device::Ivr(7)));
        export.push(&Route::new("1", Device::Ivr(8)));

        let (routes, _) = export.finish();

        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].device(), Device::Ivr(7));
    }
}
