//! The command line (feature `cli`): one program with a subcommand per API, a group per tag
//! and a command per operation, built from tables each API's `cli` module generates. The
//! program keeps the client's guarantees: the same configuration as `Client::from_env` (plus
//! flags and a config file), credentials that never print, retries, pagination, typed
//! inputs and answers read as the document says.
//!
//! Exit statuses: 0 success; 1 configuration, credentials or a local file; 2 usage (an input
//! the command or the client refuses); 3 the API answered with an error status; 4 no answer
//! (connection, TLS, timeout, redirect); 5 an answer that is not what the document says.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::future::Future;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Command, ValueHint};
use futures::StreamExt;

use super::capture::{Call, Capture, Secrets};
use super::client::ClientConfig;
use super::error::{BuildError, Error};
use super::pagination::Items;
use super::request::{File, OperationInfo};
use super::response::{Answer, ByteStream, Reader, Response};
use super::retry::RetryPolicy;
use super::variables;
use super::{EnvError, ResponseFuture};

/// The program: its name, its APIs.
pub struct Program {
    /// The binary's name.
    pub name: &'static str,
    pub about: &'static str,
    pub version: &'static str,
    pub apis: &'static [&'static dyn Commands],
}

/// An API as the program sees it (implemented by [`Api`] for its client type).
pub trait Commands: Sync {
    /// Its subcommand.
    fn name(&self) -> &'static str;
    /// Its subcommand with every operation.
    fn command(&self) -> Command;
    /// Runs the operation `matches` names, configured by `options`.
    fn run(&self, matches: &ArgMatches, options: &Options) -> Result<(), Failure>;
    /// The names of its operations.
    fn operation_names(&self) -> Vec<String>;
    /// What an operation takes and answers, as JSON.
    fn schema(&self, program: &str, operation: &str) -> Option<serde_json::Value>;
}

/// One API: its configuration variables, operations and how its client is made.
pub struct Api<C: 'static> {
    /// Its subcommand.
    pub name: &'static str,
    /// Its module, the name of its table in the config file.
    pub module: &'static str,
    pub about: &'static str,
    pub long_about: &'static str,
    pub variables: &'static [Variable],
    pub operations: &'static [Operation<C>],
    /// Where it sends credentials besides `Authorization`, redacted from what is shown.
    pub secrets: Secrets,
    /// The client, from the configuration variables and the settings.
    pub connect: fn(&Settings) -> Result<C, Failure>,
    /// JSON Schema of each of its types, by name, as JSON text.
    pub definitions: &'static str,
}

/// A variable of `Client::from_env`, also given as a flag or in the config file.
pub struct Variable {
    /// The environment variable.
    pub env: &'static str,
    /// Its key in the config file.
    pub key: &'static str,
    /// Its flag: the value itself, or for a secret the file that holds it (`--api-key-file`).
    pub flag: &'static str,
    pub secret: bool,
    pub about: &'static str,
    /// The values it takes, when the document lists them.
    pub values: &'static [&'static str],
}

/// One operation's command.
pub struct Operation<C: 'static> {
    pub info: fn() -> &'static OperationInfo,
    /// Its command as JSON text: the name, group, help, inputs, body and answer.
    pub table: &'static str,
    /// Makes the call from the parsed inputs.
    pub run: fn(&C, &mut Args) -> Result<Run, Failure>,
}

/// An operation's command, as its table in JSON text says: one literal per operation is
/// cheaper to generate, format and compile than a Rust value of every input.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    name: String,
    /// The tag it is grouped under.
    group: Option<String>,
    #[serde(default)]
    about: String,
    #[serde(default)]
    long_about: String,
    #[serde(default)]
    inputs: Vec<Input>,
    body: Option<BodyInput>,
    output: Output,
    /// The item of its pages, as JSON Schema, when `--all` fetches every page.
    pages: Option<serde_json::Value>,
}

impl<C> Operation<C> {
    fn table(&self) -> Table {
        serde_json::from_str(self.table)
            .unwrap_or_else(|error| panic!("the generated table of `{}` is not valid: {error}", (self.info)().id))
    }
}

/// An input of an operation: a parameter, a field of its JSON body or a part of its form.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    /// Its flag (or, for a path parameter, its positional argument).
    flag: String,
    /// Its name on the wire.
    wire: String,
    place: Place,
    #[serde(default)]
    required: bool,
    kind: Kind,
    /// Given once per value.
    #[serde(default)]
    repeated: bool,
    /// The values it takes, when the document lists them.
    #[serde(default)]
    values: Vec<String>,
    /// The server's default.
    default: Option<serde_json::Value>,
    #[serde(default)]
    about: String,
    /// Its JSON Schema; a body field's is in the body type's definition.
    schema: Option<serde_json::Value>,
}

/// Where an input goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Place {
    Path,
    Query,
    Header,
    Cookie,
    /// A field of the JSON (or form) body.
    Field,
    /// A part of a `multipart/form-data` body.
    Part,
}

/// How a flag's text becomes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    /// The text is the value (strings, dates, enums).
    Text,
    /// The text is JSON (numbers, objects, arrays).
    Json,
    /// `--flag` is true, `--flag=false` false.
    Switch,
    /// A file path, `-` for standard input.
    File,
}

/// An operation's request body, given whole with `--body`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BodyInput {
    media_type: String,
    #[serde(default)]
    required: bool,
    kind: BodyKind,
    #[serde(default)]
    about: String,
    schema: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum BodyKind {
    /// A JSON (or form) document; its fields also have flags.
    Json,
    Text,
    Bytes,
    /// Multipart: its parts are inputs; there is no `--body`.
    Parts,
}

/// What an operation answers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Output {
    /// JSON, with its schema.
    Json(serde_json::Value),
    Text,
    Empty,
    /// A file, written to `--output`.
    File,
}

/// The global options, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    config: Option<PathBuf>,
    timeout: Option<Duration>,
    retries: Option<u32>,
    verbose: bool,
    dry_run: bool,
}

/// Why a command failed, and the exit status it ends with.
#[derive(Debug)]
pub enum Failure {
    /// An input the command or the client refuses (2).
    Usage(String),
    /// Configuration, credentials or a local file (1).
    Config(String),
    /// The API answered with an error status (3).
    Api { status: u16, message: String, body: Bytes },
    /// No answer (4).
    Transport(String),
    /// An answer that is not what the document says (5).
    Answer(String),
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Self::Config(_) => 1,
            Self::Usage(_) => 2,
            Self::Api { .. } => 3,
            Self::Transport(_) => 4,
            Self::Answer(_) => 5,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Config(_) => "config",
            Self::Usage(_) => "usage",
            Self::Api { .. } => "api",
            Self::Transport(_) => "transport",
            Self::Answer(_) => "answer",
        }
    }

    fn message(&self) -> String {
        let text = match self {
            Self::Api { status, message, .. } => {
                let reason = reqwest::StatusCode::from_u16(*status).ok().and_then(|s| s.canonical_reason());
                let said = if message.trim().is_empty() { String::new() } else { format!(": {message}") };
                format!("HTTP {status} {}{said}", reason.unwrap_or(""))
            }
            Self::Usage(text) | Self::Config(text) | Self::Transport(text) | Self::Answer(text) => text.clone(),
        };
        // One line, whatever the server sent.
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn json(&self) -> serde_json::Value {
        let mut error = serde_json::json!({ "kind": self.kind(), "message": self.message(), "exit": self.code() });
        if let Self::Api { status, body, .. } = self {
            error["status"] = (*status).into();
            error["body"] = serde_json::from_slice(body)
                .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()));
        }
        serde_json::json!({ "error": error })
    }
}

impl<E> From<Error<E>> for Failure {
    fn from(error: Error<E>) -> Self {
        match error {
            Error::Api(api) => {
                Self::Api { status: api.status().as_u16(), message: api.message(), body: api.body().clone() }
            }
            Error::Transport(_) | Error::Timeout(_) | Error::Redirect(_) => Self::Transport(error.to_string()),
            Error::Decode(_) | Error::BodyTooLarge { .. } => Self::Answer(error.to_string()),
            Error::Credential(_) => Self::Config(error.to_string()),
            Error::InvalidRequest(_) => Self::Usage(error.to_string()),
        }
    }
}

impl From<EnvError> for Failure {
    fn from(error: EnvError) -> Self {
        Self::Config(format!("{error} (or its flag, or its key in the config file; see --help)"))
    }
}

impl From<BuildError> for Failure {
    fn from(error: BuildError) -> Self {
        Self::Config(error.to_string())
    }
}

/// Runs the program with the process's arguments.
pub fn main(program: &Program) -> ExitCode {
    main_with(program, std::env::args_os())
}

/// Runs the program with `args` (the first is the program's name).
pub fn main_with(program: &Program, args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    let matches = match command(program).try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(error) if error.use_stderr() && args.iter().any(|arg| arg == "--json-errors") => {
            // The usage error's first paragraph on one line, as the other failures are written.
            let text = error.render().to_string();
            let paragraph: Vec<&str> = text.lines().take_while(|line| !line.trim().is_empty()).map(str::trim).collect();
            let line = paragraph.join(" ").trim_start_matches("error: ").to_owned();
            let _ = writeln!(std::io::stderr().lock(), "{}", Failure::Usage(line).json());
            return ExitCode::from(2);
        }
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let json_errors = matches.get_flag("json-errors");
    match run(program, &matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let line = if json_errors {
                failure.json().to_string()
            } else {
                format!("{}: {}", program.name, failure.message())
            };
            let _ = writeln!(std::io::stderr().lock(), "{line}");
            ExitCode::from(failure.code())
        }
    }
}

const EXIT_STATUSES: &str = "Exit status: 0 success; 1 configuration, credentials or a local file; 2 usage; \
     3 the API answered with an error status; 4 no answer (connection, TLS, timeout); 5 an answer that \
     is not what the document says.\n\nConfiguration: a flag wins over the environment variable, which \
     wins over the config file (`--config`, or config.toml in the program's directory under \
     $XDG_CONFIG_HOME or ~/.config). Each API's --help lists its variables.";

/// The whole command tree.
pub fn command(program: &Program) -> Command {
    let mut root = Command::new(program.name)
        .about(program.about)
        .version(program.version)
        .after_long_help(EXIT_STATUSES)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args().map(|arg| arg.help_heading("Global options")));
    for api in program.apis {
        root = root.subcommand(api.command());
    }
    let apis: Vec<&'static str> = program.apis.iter().map(|api| api.name()).collect();
    root.subcommand(
        Command::new("schema")
            .about("Prints what an operation takes and answers, as JSON (for scripts and agents)")
            .arg(Arg::new("api").required(true).value_parser(PossibleValuesParser::new(apis)))
            .arg(Arg::new("operation").required(true).help("The operation's command name or operationId")),
    )
    .subcommand(
        Command::new("completions").about("Prints the shell completion script").arg(
            Arg::new("shell").required(true).value_parser(clap::value_parser!(clap_complete::Shell)),
        ),
    )
}

fn global_args() -> [Arg; 6] {
    [
        Arg::new("config")
            .long("config")
            .global(true)
            .value_name("FILE")
            .value_hint(ValueHint::FilePath)
            .help("The config file (TOML: a table per API, its keys as each API's --help lists)"),
        Arg::new("timeout")
            .long("timeout")
            .global(true)
            .value_name("SECONDS")
            .value_parser(clap::value_parser!(u64))
            .help("Gives up on an attempt after this many seconds"),
        Arg::new("retries")
            .long("retries")
            .global(true)
            .value_name("N")
            .value_parser(clap::value_parser!(u32))
            .help("Attempts at most N+1 times a request that is safe to repeat (default: the client's policy)"),
        Arg::new("verbose")
            .long("verbose")
            .short('v')
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Shows each request and answer status on standard error, credentials redacted"),
        Arg::new("dry-run")
            .long("dry-run")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Prints the request that would be sent, credentials redacted, and sends nothing"),
        Arg::new("json-errors")
            .long("json-errors")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Writes a failure to standard error as one JSON object"),
    ]
}

fn run(program: &Program, matches: &ArgMatches) -> Result<(), Failure> {
    let options = Options {
        config: matches.get_one::<String>("config").map(PathBuf::from),
        timeout: matches.get_one::<u64>("timeout").map(|s| Duration::from_secs(*s)),
        retries: matches.get_one::<u32>("retries").copied(),
        verbose: matches.get_flag("verbose"),
        dry_run: matches.get_flag("dry-run"),
    };
    match matches.subcommand() {
        Some(("completions", sub)) => {
            let shell = *sub.get_one::<clap_complete::Shell>("shell").expect("required by the parser");
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut command(program), program.name, &mut out);
            Ok(())
        }
        Some(("schema", sub)) => {
            let api_name = sub.get_one::<String>("api").expect("required by the parser");
            let operation = sub.get_one::<String>("operation").expect("required by the parser");
            let api = program.apis.iter().find(|api| api.name() == api_name).expect("one of the listed values");
            let schema = api.schema(program.name, operation).ok_or_else(|| {
                Failure::Usage(format!(
                    "{api_name} has no operation `{operation}`; it has: {}",
                    api.operation_names().join(", ")
                ))
            })?;
            print_json(&schema, std::io::stdout().is_terminal())
        }
        Some((name, sub)) => {
            let api = program.apis.iter().find(|api| api.name() == name).expect("a subcommand of the tree");
            api.run(sub, &options)
        }
        None => Err(Failure::Usage("no command given; see --help".into())),
    }
}

impl<C: 'static> Commands for Api<C> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn command(&self) -> Command {
        let mut api = Command::new(self.name)
            .about(self.about)
            .long_about(self.long_about)
            .subcommand_required(true)
            .arg_required_else_help(true)
            .args(self.variables.iter().map(|variable| variable_arg(variable).help_heading("Configuration")));
        let mut groups: Vec<(String, Command)> = Vec::new();
        for operation in self.operations {
            let table = operation.table();
            let command = operation_command((operation.info)(), &table);
            match table.group {
                None => api = api.subcommand(command),
                Some(group) => match groups.iter_mut().find(|(name, _)| *name == group) {
                    Some((_, existing)) => *existing = std::mem::take(existing).subcommand(command),
                    None => {
                        let command = group_command(&group).subcommand(command);
                        groups.push((group, command));
                    }
                },
            }
        }
        api.subcommands(groups.into_iter().map(|(_, command)| command))
    }

    fn run(&self, matches: &ArgMatches, options: &Options) -> Result<(), Failure> {
        let (operation, table, op_matches) = self.find(matches)?;
        set_variables(self, matches, options)?;
        let capture = options.dry_run.then(|| Capture::new(self.secrets));
        let settings = Settings { options: options.clone(), secrets: self.secrets, capture: capture.clone() };
        let client = (self.connect)(&settings)?;
        let mut args = Args { inputs: &table.inputs, body: table.body.as_ref(), matches: op_matches };
        let call = (operation.run)(&client, &mut args)?;
        let outcome = block_on((call.0)(Printer { verbose: options.verbose }));
        match capture {
            Some(capture) => match (capture.take(), outcome) {
                (Some(call), _) => print_call(&call),
                // The client refused the inputs before sending anything.
                (None, Err(failure)) => Err(failure),
                (None, Ok(())) => Ok(()),
            },
            None => outcome,
        }
    }

    fn operation_names(&self) -> Vec<String> {
        self.operations.iter().map(|operation| operation.table().name).collect()
    }

    fn schema(&self, program: &str, name: &str) -> Option<serde_json::Value> {
        let (operation, table) = self
            .operations
            .iter()
            .map(|operation| (operation, operation.table()))
            .find(|(operation, table)| table.name == name || (operation.info)().id == name)?;
        Some(operation_schema(self, (operation.info)(), &table, program))
    }
}

impl<C: 'static> Api<C> {
    /// The operation `matches` (the API's) names, its table, and its own matches.
    fn find<'m>(&self, matches: &'m ArgMatches) -> Result<(&'static Operation<C>, Table, &'m ArgMatches), Failure> {
        let (first, first_matches) = matches.subcommand().ok_or_else(|| Failure::Usage("no operation given".into()))?;
        let mut tables: Vec<Table> = self.operations.iter().map(Operation::table).collect();
        let (group, name, found) = match first_matches.subcommand() {
            Some((name, sub)) if tables.iter().any(|table| table.group.as_deref() == Some(first)) => {
                (Some(first), name, sub)
            }
            _ => (None, first, first_matches),
        };
        let at = tables.iter().position(|table| table.group.as_deref() == group && table.name == name);
        let at = at.ok_or_else(|| Failure::Usage(format!("no operation `{name}`")))?;
        Ok((&self.operations[at], tables.swap_remove(at), found))
    }
}

fn group_command(group: &str) -> Command {
    Command::new(group.to_owned())
        .about(format!("Operations tagged `{group}`"))
        .subcommand_required(true)
        .arg_required_else_help(true)
}

fn variable_arg(variable: &'static Variable) -> Arg {
    let about = variable.about.trim_end_matches('.');
    let help = if variable.secret {
        format!("{about}, read from FILE (- for standard input) [env: {}]", variable.env)
    } else {
        format!("{about} [env: {}]", variable.env)
    };
    let arg = Arg::new(variable.flag).long(variable.flag).help(help);
    match (variable.secret, variable.values) {
        (true, _) => arg.value_name("FILE").value_hint(ValueHint::FilePath),
        (false, []) => arg.value_name("VALUE"),
        (false, values) => arg.value_name("VALUE").value_parser(PossibleValuesParser::new(values.iter().copied())),
    }
}

fn operation_command(info: &OperationInfo, table: &Table) -> Command {
    let long_about = format!("{}\n\n`{} {}` (operationId `{}`)", table.long_about, info.method, info.path, info.id);
    let mut command = Command::new(table.name.clone())
        .about(table.about.clone())
        .long_about(long_about.trim_start().to_owned());
    command = command.args(table.inputs.iter().map(input_arg));
    if let Some(body) = &table.body
        && body.kind != BodyKind::Parts
    {
        let help = match body.kind {
            BodyKind::Json => "The body: JSON text, @FILE or - (standard input); field flags set fields on it",
            BodyKind::Text => "The body: text, @FILE or - (standard input)",
            _ => "The body: @FILE or - (standard input)",
        };
        let long_help = format!("{help}.\n\n{} (`{}`)", body.about, body.media_type);
        command = command.arg(
            Arg::new("body")
                .long("body")
                .value_name("BODY")
                .value_hint(ValueHint::FilePath)
                .help(help)
                .long_help(long_help.trim_end().to_owned()),
        );
    }
    if table.pages.is_some() {
        command = command.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Fetches every page and prints each item as one JSON object per line"),
        );
    }
    if table.output == Output::File {
        command = command
            .arg(
                Arg::new("output")
                    .long("output")
                    .short('o')
                    .value_name("FILE")
                    .value_hint(ValueHint::FilePath)
                    .help("Writes the file here (standard output when it is not a terminal)"),
            )
            .arg(Arg::new("force").long("force").action(ArgAction::SetTrue).help("Replaces an existing --output file"));
    }
    command
}

fn input_arg(input: &Input) -> Arg {
    let mut help = input.about.clone();
    if let Some(default) = &input.default {
        help = format!("{help} [server's default: {default}]").trim_start().to_owned();
    }
    let mut arg = Arg::new(input.flag.clone()).help(help).required(input.required && input.place != Place::Field);
    if input.place != Place::Path {
        arg = arg.long(input.flag.clone());
    }
    arg = match input.kind {
        Kind::Switch => arg
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true")
            .value_parser(PossibleValuesParser::new(["true", "false"])),
        Kind::File => arg.value_hint(ValueHint::FilePath).value_name("FILE"),
        Kind::Text | Kind::Json if !input.values.is_empty() => {
            arg.value_parser(PossibleValuesParser::new(input.values.iter().cloned()))
        }
        Kind::Text | Kind::Json => arg,
    };
    if input.repeated {
        arg = arg.action(ArgAction::Append);
    }
    arg
}

/// The settings the program gives an API's client.
pub struct Settings {
    options: Options,
    secrets: Secrets,
    capture: Option<Capture>,
}

impl Settings {
    /// Applies the command line's timeout, retries, `--verbose` and `--dry-run` to `config`.
    pub fn configure(&self, config: &mut ClientConfig) {
        if let Some(timeout) = self.options.timeout {
            config.set_timeout(Some(timeout));
        }
        if let Some(retries) = self.options.retries {
            config.set_retry(RetryPolicy::default().max_attempts(retries + 1));
        }
        let (verbose, secrets) = (self.options.verbose, self.secrets);
        let keep = self.capture.as_ref().map(Capture::hook);
        if keep.is_some() {
            config.set_retry(RetryPolicy::disabled());
            config.without_token_fetches();
        } else if !verbose {
            return;
        }
        config.set_request_hook(Arc::new(move |request: &mut reqwest::Request| {
            if verbose {
                show_request(&Call::of(request, secrets));
            }
            if let Some(keep) = &keep {
                keep(request);
                // Nothing leaves: a scheme no client sends to fails the request before it
                // connects anywhere.
                *request.url_mut() = reqwest::Url::parse("dry-run:nothing-is-sent").expect("a valid URL");
            }
        }));
    }
}

/// With `--verbose`, a request on standard error, credentials redacted.
fn show_request(call: &Call) {
    let _ = write_request(&mut std::io::stderr().lock(), call, "> ", false);
}

/// A request's line and headers, each line after `prefix`, then (with `body`) its body if
/// any after a blank line; credentials come redacted in `call`.
fn write_request(out: &mut impl Write, call: &Call, prefix: &str, body: bool) -> std::io::Result<()> {
    writeln!(out, "{prefix}{} {}", call.method, call.url)?;
    for (name, value) in call.headers() {
        writeln!(out, "{prefix}{name}: {value}")?;
    }
    if body && !call.body.is_empty() {
        writeln!(out)?;
        out.write_all(&call.body)?;
        writeln!(out)?;
    }
    Ok(())
}

/// The inputs of one call, as parsed from the command line.
pub struct Args<'a> {
    inputs: &'a [Input],
    body: Option<&'a BodyInput>,
    matches: &'a ArgMatches,
}

impl Args<'_> {
    /// A required input's value.
    pub fn required<T: serde::de::DeserializeOwned>(&mut self, flag: &str) -> Result<T, Failure> {
        self.optional(flag)?.ok_or_else(|| Failure::Usage(format!("--{flag} is required")))
    }

    /// An optional input's value.
    pub fn optional<T: serde::de::DeserializeOwned>(&mut self, flag: &str) -> Result<Option<T>, Failure> {
        let input = self.input(flag);
        match self.matches.get_one::<String>(&input.flag) {
            Some(text) => parse(input, text).map(Some),
            None => Ok(None),
        }
    }

    /// The values of a repeated input (none when it is not given).
    pub fn list<T: serde::de::DeserializeOwned>(&mut self, flag: &str) -> Result<Option<Vec<T>>, Failure> {
        let input = self.input(flag);
        let Some(texts) = self.matches.get_many::<String>(&input.flag) else { return Ok(None) };
        texts.map(|text| parse(input, text)).collect::<Result<Vec<T>, Failure>>().map(Some)
    }

    /// The values of a required repeated input.
    pub fn required_list<T: serde::de::DeserializeOwned>(&mut self, flag: &str) -> Result<Vec<T>, Failure> {
        self.list(flag)?.ok_or_else(|| Failure::Usage(format!("--{flag} is required")))
    }

    /// A file input (a multipart part): the file at its path, `-` for standard input.
    pub fn file(&mut self, flag: &str) -> Result<Option<File>, Failure> {
        let Some(path) = self.matches.get_one::<String>(flag) else { return Ok(None) };
        let bytes = read_source(path, &format!("--{flag}"))?;
        let name = Path::new(path).file_name().map_or_else(|| "stdin".to_owned(), |n| n.to_string_lossy().into_owned());
        Ok(Some(File::from_bytes(name, bytes)))
    }

    /// A required file input.
    pub fn required_file(&mut self, flag: &str) -> Result<File, Failure> {
        self.file(flag)?.ok_or_else(|| Failure::Usage(format!("--{flag} is required")))
    }

    /// The JSON (or form) body: `--body`, with the field flags set on it.
    pub fn body<T: serde::de::DeserializeOwned>(&mut self) -> Result<Option<T>, Failure> {
        let mut document = match self.matches.get_one::<String>("body") {
            Some(text) => {
                let bytes = read_body_source(text)?;
                Some(
                    serde_json::from_slice::<serde_json::Value>(&bytes)
                        .map_err(|error| Failure::Usage(format!("--body is not JSON: {error}")))?,
                )
            }
            None => None,
        };
        for input in self.inputs.iter().filter(|input| input.place == Place::Field) {
            let value = match (input.repeated, self.matches.get_many::<String>(&input.flag)) {
                (_, None) => continue,
                (true, Some(texts)) => {
                    serde_json::Value::Array(texts.map(|t| json_value(input, t)).collect::<Result<_, _>>()?)
                }
                (false, Some(mut texts)) => json_value(input, texts.next().expect("a value"))?,
            };
            let document = document.get_or_insert_with(|| serde_json::Value::Object(Default::default()));
            let serde_json::Value::Object(fields) = document else {
                return Err(Failure::Usage(format!("--{} sets a field, but --body is not a JSON object", input.flag)));
            };
            fields.insert(input.wire.clone(), value);
        }
        let Some(document) = document else { return Ok(None) };
        serde_path_to_error::deserialize(document).map(Some).map_err(|error| {
            let at = error.path().to_string();
            let at = if at == "." { String::new() } else { format!(" at `{at}`") };
            let message = error.inner().to_string();
            // A field the body lacks is named with its flag.
            let flag = self
                .inputs
                .iter()
                .find(|input| input.place == Place::Field && message == format!("missing field `{}`", input.wire))
                .map(|input| format!(" (give --{})", input.flag))
                .unwrap_or_default();
            Failure::Usage(format!("the body{at}: {message}{flag}"))
        })
    }

    /// The required JSON (or form) body.
    pub fn required_body<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, Failure> {
        self.body()?.ok_or_else(|| Failure::Usage(self.missing_body()))
    }

    /// A text body.
    pub fn text_body(&mut self) -> Result<Option<String>, Failure> {
        let Some(bytes) = self.bytes_body()? else { return Ok(None) };
        String::from_utf8(bytes.to_vec()).map(Some).map_err(|_| Failure::Usage("--body is not UTF-8 text".into()))
    }

    /// The required text body.
    pub fn required_text_body(&mut self) -> Result<String, Failure> {
        self.text_body()?.ok_or_else(|| Failure::Usage(self.missing_body()))
    }

    /// A body of bytes.
    pub fn bytes_body(&mut self) -> Result<Option<Bytes>, Failure> {
        self.matches.get_one::<String>("body").map(|text| read_body_source(text)).transpose()
    }

    /// The required body of bytes.
    pub fn required_bytes_body(&mut self) -> Result<Bytes, Failure> {
        self.bytes_body()?.ok_or_else(|| Failure::Usage(self.missing_body()))
    }

    /// Whether `--all` asks for every page.
    pub fn all(&self) -> bool {
        self.matches.try_get_one::<bool>("all").ok().flatten().copied().unwrap_or(false)
    }

    fn missing_body(&self) -> String {
        let fields = self.inputs.iter().any(|input| input.place == Place::Field);
        let media = self.body.map_or("", |body| body.media_type.as_str());
        if fields {
            format!("this operation sends a {media} body: give --body, or its field flags")
        } else {
            format!("this operation sends a {media} body: give --body")
        }
    }

    fn input(&self, flag: &str) -> &Input {
        self.inputs.iter().find(|input| input.flag == flag).expect("generated code names its own inputs")
    }
}

/// An input's value from its text, as JSON for its type.
fn json_value(input: &Input, text: &str) -> Result<serde_json::Value, Failure> {
    match input.kind {
        Kind::Text | Kind::File => Ok(serde_json::Value::String(text.to_owned())),
        Kind::Switch => Ok(serde_json::Value::Bool(text != "false")),
        Kind::Json => serde_json::from_str(text).or_else(|_| {
            // A bare word where JSON is expected: taken as a string when the type accepts one.
            if text.trim_start().starts_with(['{', '[', '"']) {
                Err(Failure::Usage(format!("--{}: `{text}` is not JSON", input.flag)))
            } else {
                Ok(serde_json::Value::String(text.to_owned()))
            }
        }),
    }
}

fn parse<T: serde::de::DeserializeOwned>(input: &Input, text: &str) -> Result<T, Failure> {
    let value = json_value(input, text)?;
    serde_json::from_value(value).map_err(|error| Failure::Usage(format!("--{}: `{text}`: {error}", input.flag)))
}

/// `--body`'s bytes: `@FILE`, `-` for standard input, or the text itself.
fn read_body_source(text: &str) -> Result<Bytes, Failure> {
    match text.strip_prefix('@') {
        Some(path) => read_source(path, "--body"),
        None if text == "-" => read_source("-", "--body"),
        None => Ok(Bytes::copy_from_slice(text.as_bytes())),
    }
}

/// The bytes of the file at `path`, or of standard input for `-`.
fn read_source(path: &str, what: &str) -> Result<Bytes, Failure> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|error| Failure::Config(format!("{what}: standard input: {error}")))?;
        return Ok(bytes.into());
    }
    std::fs::read(path).map(Bytes::from).map_err(|error| Failure::Config(format!("{what}: {path}: {error}")))
}

/// A call on its way: what an operation's command runs, once given how to print.
pub struct Run(Box<dyn FnOnce(Printer) -> Running + Send>);

/// A command's work, under way.
type Running = Pin<Box<dyn Future<Output = Result<(), Failure>> + Send>>;

impl Run {
    fn new<F>(run: impl FnOnce(Printer) -> F + Send + 'static) -> Self
    where
        F: Future<Output = Result<(), Failure>> + Send + 'static,
    {
        Run(Box::new(move |printer| Box::pin(run(printer))))
    }
}

/// What the printers of an answer are told by the command line.
#[derive(Debug, Clone, Copy)]
struct Printer {
    /// `--verbose`: the answer's status on standard error.
    verbose: bool,
}

impl Printer {
    fn status<T>(self, response: &Response<T>) {
        if self.verbose {
            let _ = writeln!(std::io::stderr().lock(), "< {}", response.status());
        }
    }
}

/// The reader `read` (an operation's own), keeping the body as it came: the command prints
/// what the server sent once the operation's reader has accepted it.
pub fn raw<T, E>(
    read: Reader<T, E>,
) -> impl FnOnce(&'static OperationInfo, Answer) -> Result<Response<Bytes>, Error<E>> + Send + 'static
where
    T: 'static,
    E: 'static,
{
    move |operation, answer| {
        let body = answer.bytes();
        read(operation, answer).map(|response| response.map(|_| body))
    }
}

/// Prints an answer: JSON (pretty on a terminal, compact otherwise), or its text.
pub fn answer<E: Send + 'static>(call: ResponseFuture<Bytes, E>) -> Run {
    Run::new(move |printer| async move {
        let response = call.await?;
        printer.status(&response);
        let body = response.into_body();
        if body.is_empty() {
            return Ok(());
        }
        let terminal = std::io::stdout().is_terminal();
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(value) => print_json(&value, terminal),
            Err(_) => write_out(|out| {
                out.write_all(&body)?;
                if !body.ends_with(b"\n") {
                    out.write_all(b"\n")?;
                }
                Ok(())
            }),
        }
    })
}

/// Prints every item of every page, one JSON object per line.
pub fn items<T: serde::Serialize + Send + 'static, E: Send + 'static>(mut items: Items<T, E>) -> Run {
    Run::new(move |_| async move {
        while let Some(item) = items.next().await {
            let line = serde_json::to_string(&item?).map_err(|error| Failure::Answer(error.to_string()))?;
            write_out(|out| writeln!(out, "{line}"))?;
        }
        Ok(())
    })
}

/// Writes a download to `--output` (or standard output), with a progress bar on a terminal.
pub fn download<E: Send + 'static>(call: ResponseFuture<ByteStream, E>, args: &Args<'_>) -> Result<Run, Failure> {
    let output = args.matches.get_one::<String>("output").map(PathBuf::from);
    let force = args.matches.get_flag("force");
    if output.is_none() && std::io::stdout().is_terminal() {
        return Err(Failure::Usage("the answer is a file: give --output FILE, or redirect standard output".into()));
    }
    if let Some(path) = &output
        && path.exists()
        && !force
    {
        return Err(Failure::Config(format!("{} exists; give --force to replace it", path.display())));
    }
    Ok(Run::new(move |printer| async move {
        let response = call.await?;
        printer.status(&response);
        let length = response.headers().get(reqwest::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
        let stream = response.into_body();
        match output {
            Some(path) => save(stream, &path, length).await,
            None => {
                let mut stream = stream;
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(|error| Failure::Transport(error.to_string()))?;
                    write_out(|out| out.write_all(&chunk))?;
                }
                Ok(())
            }
        }
    }))
}

/// Streams `stream` into a file beside `path`, renamed to `path` once whole: a failed
/// download leaves `path` as it was.
async fn save(mut stream: ByteStream, path: &Path, length: Option<u64>) -> Result<(), Failure> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.{}.part", std::process::id()));
    let local = |error: std::io::Error| Failure::Config(format!("{}: {error}", path.display()));
    let mut file = std::fs::File::create_new(&partial).map_err(local)?;
    let bar = match length {
        Some(length) => indicatif::ProgressBar::new(length),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let written = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| Failure::Transport(error.to_string()))?;
            file.write_all(&chunk).map_err(local)?;
            bar.inc(chunk.len() as u64);
        }
        file.sync_all().map_err(local)?;
        std::fs::rename(&partial, path).map_err(local)
    }
    .await;
    bar.finish_and_clear();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

fn print_json(value: &serde_json::Value, pretty: bool) -> Result<(), Failure> {
    let text = if pretty { serde_json::to_string_pretty(value) } else { serde_json::to_string(value) };
    let text = text.map_err(|error| Failure::Answer(error.to_string()))?;
    write_out(|out| writeln!(out, "{text}"))
}

/// Writes to standard output; a reader that went away (`| head`) ends the command quietly.
fn write_out(write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(error) => Err(Failure::Config(format!("standard output: {error}"))),
        Ok(()) => Ok(()),
    }
}

/// The request a dry run would have sent, credentials redacted.
fn print_call(call: &Call) -> Result<(), Failure> {
    write_out(|out| write_request(out, call, "", true))
}

fn block_on(run: Running) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Config(format!("the async runtime: {error}")))?;
    runtime.block_on(run)
}

fn set_variables<C>(api: &Api<C>, matches: &ArgMatches, options: &Options) -> Result<(), Failure> {
    let mut flags = BTreeMap::new();
    for variable in api.variables {
        let Some(text) = matches.get_one::<String>(variable.flag) else { continue };
        let value = if variable.secret {
            let bytes = read_source(text, &format!("--{}", variable.flag))?;
            String::from_utf8_lossy(&bytes).trim().to_owned()
        } else {
            text.clone()
        };
        flags.insert(variable.env, value);
    }
    let file = config_file(api, options)?;
    variables::set(flags, file);
    Ok(())
}

/// The API's table of the config file, by variable.
fn config_file<C>(api: &Api<C>, options: &Options) -> Result<BTreeMap<&'static str, String>, Failure> {
    let (path, given) = match &options.config {
        Some(path) => (path.clone(), true),
        None => match default_config() {
            Some(path) => (path, false),
            None => return Ok(BTreeMap::new()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if !given && error.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(error) => return Err(Failure::Config(format!("{}: {error}", path.display()))),
    };
    let table: toml::Table = text.parse().map_err(|error| Failure::Config(format!("{}: {error}", path.display())))?;
    let Some(entries) = table.get(api.module) else { return Ok(BTreeMap::new()) };
    let entries = entries
        .as_table()
        .ok_or_else(|| Failure::Config(format!("{}: `{}` is not a table", path.display(), api.module)))?;
    let mut found = BTreeMap::new();
    for (key, value) in entries {
        let variable = api.variables.iter().find(|v| v.key == key).ok_or_else(|| {
            let known: Vec<&str> = api.variables.iter().map(|v| v.key).collect();
            Failure::Config(format!(
                "{}: [{}] has no key `{key}`; its keys: {}",
                path.display(),
                api.module,
                known.join(", ")
            ))
        })?;
        let value = match value {
            toml::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        if variable.secret {
            warn_if_readable(&path);
        }
        found.insert(variable.env, value);
    }
    Ok(found)
}

/// `config.toml` in the program's directory of the user's configuration.
fn default_config() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    let program = std::env::args_os().next().map(PathBuf::from)?;
    Some(base.join(program.file_stem()?).join("config.toml"))
}

/// A config file holding a secret should be readable by its owner alone.
fn warn_if_readable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(metadata) = std::fs::metadata(path)
            && metadata.permissions().mode() & 0o077 != 0
        {
            let _ = writeln!(
                std::io::stderr().lock(),
                "warning: {} holds a credential and others may read it (chmod 600 it)",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// What `schema` prints for an operation.
fn operation_schema<C>(api: &Api<C>, info: &OperationInfo, table: &Table, program: &str) -> serde_json::Value {
    let definitions: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(api.definitions).unwrap_or_default();
    let inputs: Vec<serde_json::Value> = table
        .inputs
        .iter()
        .map(|input| {
            let schema = input.schema.clone().or_else(|| field_schema(input, table.body.as_ref(), &definitions));
            serde_json::json!({
                "flag": if input.place == Place::Path { input.flag.to_uppercase() } else { format!("--{}", input.flag) },
                "name": input.wire,
                "in": format!("{:?}", input.place).to_lowercase(),
                "required": input.required,
                "repeated": input.repeated,
                "schema": schema,
                "default": input.default,
                "description": input.about,
            })
        })
        .collect();
    let body = table.body.as_ref().map(|body| {
        serde_json::json!({
            "flag": if body.kind == BodyKind::Parts { serde_json::Value::Null } else { "--body".into() },
            "mediaType": body.media_type,
            "required": body.required,
            "schema": body.schema,
            "description": body.about,
        })
    });
    let output = match &table.output {
        Output::Json(schema) => serde_json::json!({ "kind": "json", "schema": schema }),
        Output::Text => serde_json::json!({ "kind": "text" }),
        Output::Empty => serde_json::json!({ "kind": "empty" }),
        Output::File => serde_json::json!({ "kind": "file", "flag": "--output" }),
    };
    let all = table.pages.as_ref().map(|item| serde_json::json!({ "flag": "--all", "item": item }));
    let words: Vec<&str> =
        [program, api.name].into_iter().chain(table.group.as_deref()).chain([table.name.as_str()]).collect();
    let mut schema = serde_json::json!({
        "command": words.join(" "),
        "operationId": info.id,
        "method": info.method.as_str(),
        "path": info.path,
        "summary": table.about,
        "inputs": inputs,
        "body": body,
        "output": output,
        "pages": all,
    });
    let reached = reached_definitions(&schema, &definitions);
    schema["definitions"] = serde_json::Value::Object(reached);
    schema
}

/// The schema of a body field, which the tables leave to the body type's definition.
fn field_schema(
    input: &Input,
    body: Option<&BodyInput>,
    definitions: &serde_json::Map<String, serde_json::Value>,
) -> Option<serde_json::Value> {
    if input.place != Place::Field {
        return None;
    }
    let name = body?.schema.get("$ref")?.as_str()?.strip_prefix("#/definitions/")?;
    let mut definition = definitions.get(name)?;
    // Through aliases to the object that has the field.
    for _ in 0..definitions.len() {
        match definition.get("$ref").and_then(|r| r.as_str()?.strip_prefix("#/definitions/")) {
            Some(next) => definition = definitions.get(next)?,
            None => break,
        }
    }
    definition.get("properties")?.get(&input.wire).cloned()
}

/// The definitions `value` refers to (`{"$ref": "#/definitions/Name"}`), and theirs.
fn reached_definitions(
    value: &serde_json::Value,
    definitions: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    fn refs(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(fields) => {
                if let Some(serde_json::Value::String(target)) = fields.get("$ref")
                    && let Some(name) = target.strip_prefix("#/definitions/")
                {
                    found.push(name.to_owned());
                }
                fields.values().for_each(|v| refs(v, found));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut reached = serde_json::Map::new();
    let mut pending = Vec::new();
    refs(value, &mut pending);
    while let Some(name) = pending.pop() {
        if reached.contains_key(&name) {
            continue;
        }
        if let Some(definition) = definitions.get(&name) {
            refs(definition, &mut pending);
            reached.insert(name, definition.clone());
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dry_run_fetches_no_token_and_shows_where_one_goes() {
        let source = super::super::FnSource(|| async { panic!("a dry run fetched a token") });
        let mut config = ClientConfig::new("https://api.example", "test");
        config.set_token_source("oauth", super::super::Place::Bearer, source);
        let options = Options { dry_run: true, ..Options::default() };
        let capture = Capture::new(Secrets::default());
        let settings = Settings { options, secrets: Secrets::default(), capture: Some(capture) };
        settings.configure(&mut config);
        assert!(format!("{config:?}").contains("Bearer"), "{config:?}");
        assert!(!format!("{config:?}").contains("Token("), "{config:?}");
    }

    #[test]
    fn a_flag_text_becomes_a_value_of_its_kind() {
        let input = |kind| Input {
            flag: "f".into(),
            wire: "f".into(),
            place: Place::Query,
            required: false,
            kind,
            repeated: false,
            values: Vec::new(),
            default: None,
            about: String::new(),
            schema: None,
        };
        assert_eq!(json_value(&input(Kind::Text), "007").unwrap(), serde_json::json!("007"));
        assert_eq!(json_value(&input(Kind::Json), "7").unwrap(), serde_json::json!(7));
        assert_eq!(json_value(&input(Kind::Json), "north").unwrap(), serde_json::json!("north"));
        assert!(json_value(&input(Kind::Json), "{broken").is_err());
        assert_eq!(json_value(&input(Kind::Switch), "false").unwrap(), serde_json::json!(false));
    }

    #[test]
    fn a_failure_is_one_line_with_its_exit_status() {
        let failure = Failure::Api { status: 409, message: "already\n  linked".into(), body: Bytes::from_static(b"{\"a\":1}") };
        assert_eq!(failure.message(), "HTTP 409 Conflict: already linked");
        assert_eq!(failure.code(), 3);
        assert_eq!(failure.json()["error"]["body"]["a"], 1);
        assert_eq!(Failure::Transport("x".into()).code(), 4);
    }
}
