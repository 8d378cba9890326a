//! An API's command line → its `cli` module (feature `cli`): the tables `runtime::cli`
//! builds the API's commands from (its configuration variables, a command per operation with
//! its inputs) and, per operation, the function that makes the call from the parsed inputs
//! through the operation's own request builder; beside it, `definitions.json`, the JSON
//! Schema of the API's types that the tables refer to.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::json;

use super::client::{EnvNames, absolute_server, env_names, has_from_env};
use super::docs::inner_doc_attrs;
use super::responses::{self, Seen};
use super::{features, ident, type_tokens};
use crate::ir::*;
use crate::naming::{Registry, kebab, scope, snake};

/// The file beside `cli.rs` that holds the JSON Schema of the API's types.
pub(super) const DEFINITIONS_FILE: &str = "definitions.json";

/// The JSON Schema of each of the API's types, by name: a JSON object with one definition
/// per line, so a change to a type is a change to its line.
pub(super) fn render_definitions(api: &Api) -> String {
    let mut text = String::from("{");
    for (index, def) in api.types.iter().enumerate() {
        text.push_str(if index == 0 { "\n" } else { ",\n" });
        text.push_str(&serde_json::Value::String(def.name.clone()).to_string());
        text.push_str(": ");
        text.push_str(&definition(def).to_string());
    }
    text.push_str("\n}\n");
    text
}

/// The module `cli.rs` of `api`, whose subcommand is `command` and whose operations live in
/// `entries` (module, operation).
pub(super) fn render_cli_module(api: &Api, command: &str, entries: &[(String, &Operation)]) -> TokenStream {
    let module_doc = inner_doc_attrs(&format!(
        "The command line of {} (feature `cli`): the tables `runtime::cli` builds its commands \
         from, and a function per operation that makes the call through its request builder.",
        api.title
    ));
    let kinds = TypeKinds::of(api);
    let groups = groups(api);
    let mut functions = Registry::with_reserved(scope::CLI_FILE);
    let commands: Vec<(TokenStream, TokenStream)> = entries
        .iter()
        .map(|(module, op)| {
            let function = format_ident!("{}", functions.claim(&snake(op.rust_name.trim_end_matches('_'))));
            let gate = features::operation_feature(api, op).map(|feature| quote! { #[cfg(feature = #feature)] });
            let command = OperationCommand::new(op, &kinds);
            let entry = command.entry(module, groups.get(&op.wire_id).map(String::as_str), &function);
            let run = command.function(module, &function);
            (quote! { #gate #entry }, quote! { #gate #run })
        })
        .collect();
    let (entries_tokens, functions_tokens): (Vec<_>, Vec<_>) = commands.into_iter().unzip();
    let functions_tokens = quote! { #(#functions_tokens)* };
    let variables = variables(api);
    let about = &api.title;
    let long_about = text(&long_about(api));
    let module = &api.module;
    let connect = connect(api);
    // With tag features, a combination may enable no operation that names them.
    let unused = api.tag_features.then(|| quote! { #[allow(unused_imports)] });
    let uses_types = super::mentions(&functions_tokens, "types").then(|| quote! { #unused use super::types; });
    let uses_operations =
        super::mentions(&functions_tokens, "operations").then(|| quote! { #unused use super::operations; });
    // `Failure` for `connect`; `Args` and `Run` for the operations' functions, when there are any.
    let uses_cli = if names_ident(&functions_tokens, "Args") {
        quote! { #unused use crate::runtime::cli::{Args, Failure, Run}; }
    } else {
        quote! { use crate::runtime::cli::Failure; }
    };
    quote! {
        #module_doc

        #uses_operations
        #uses_types
        use super::Client;
        use crate::runtime;
        #uses_cli

        /// The API's subcommand.
        pub(crate) static COMMANDS: runtime::cli::Api<Client> = runtime::cli::Api {
            name: #command,
            module: #module,
            about: #about,
            long_about: #long_about,
            variables: &[#(#variables),*],
            operations: &[#(#entries_tokens),*],
            secrets: super::SECRETS,
            connect,
            definitions: include_str!(#DEFINITIONS_FILE),
        };

        #connect

        #functions_tokens
    }
}

/// The client from the configuration, with the command line's settings.
fn connect(api: &Api) -> TokenStream {
    if !has_from_env(api) {
        let message =
            format!("{} needs several credentials at once; the command line cannot configure its client", api.title);
        return quote! {
            fn connect(_: &runtime::cli::Settings) -> Result<Client, Failure> {
                Err(Failure::Config(#message.to_owned()))
            }
        };
    }
    quote! {
        fn connect(settings: &runtime::cli::Settings) -> Result<Client, Failure> {
            let mut builder = Client::builder_from_env()?;
            settings.configure(&mut builder.config);
            Ok(builder.build()?)
        }
    }
}

fn long_about(api: &Api) -> String {
    // The first paragraph of prose (a document's description often opens with a heading).
    let first = api
        .description
        .as_deref()
        .and_then(|d| d.split("\n\n").map(str::trim).find(|p| !p.is_empty() && !p.starts_with('#')))
        .unwrap_or_default();
    let text = format!(
        "{} (version {}).\n\n{first}\n\nIts client is configured as `Client::from_env` says: each \
         variable below, or its flag, or its key in this API's table of the config file.",
        api.title, api.version
    );
    text.replace("\n\n\n\n", "\n\n")
}

/// The configuration variables: `Client::from_env`'s, each with its flag and config key.
fn variables(api: &Api) -> Vec<TokenStream> {
    if !has_from_env(api) {
        return Vec::new();
    }
    let EnvNames { base_url, servers, primary, optional, ca_cert } = env_names(api);
    let prefix = format!("{}_", api.module.to_uppercase());
    let server_variables: &[ServerVariable] = absolute_server(api).map(|s| s.variables.as_slice()).unwrap_or_default();
    let mut found: Vec<(String, bool, String, Vec<String>)> =
        vec![(base_url, false, "The server's base URL".to_owned(), Vec::new())];
    for (name, variable) in servers.into_iter().zip(server_variables) {
        let about =
            variable.description.clone().unwrap_or_else(|| format!("The `{}` server variable", variable.wire_name));
        found.push((name, false, about, variable.values.iter().map(|v| v.wire_value.clone()).collect()));
    }
    let kinds = primary_scheme_kind(api);
    if let Some((principal, secret)) = primary {
        let (who, what) = match kinds {
            Some(SecurityKind::Basic) => ("The user", "The password"),
            Some(SecurityKind::ClientCredentials(_)) => ("The OAuth2 client id", "The OAuth2 client secret"),
            _ => ("", "The API key"),
        };
        found.extend(principal.map(|name| (name, false, who.to_owned(), Vec::new())));
        found.push((secret, true, what.to_owned(), Vec::new()));
    }
    let optional_schemes = api.security_schemes.iter().filter(|s| s.optional);
    for (scheme, (principal, secret)) in optional_schemes.zip(optional) {
        let about = scheme.description.clone().unwrap_or_else(|| format!("The `{}` credential", scheme.wire_name));
        found.extend(principal.map(|name| (name, false, format!("{about}: the user or client id"), Vec::new())));
        found.push((secret, true, about, Vec::new()));
    }
    found.push((ca_cert, false, "A PEM file of extra CA certificates".to_owned(), Vec::new()));
    let mut flags = Registry::with_reserved(scope::CLI_FLAGS);
    found
        .into_iter()
        .map(|(env, secret, about, values)| {
            let key = env.strip_prefix(&prefix).unwrap_or(&env).to_lowercase();
            let flag = flags.claim(&if secret { format!("{}-file", kebab(&key)) } else { kebab(&key) });
            let about = one_line(&about);
            quote! {
                runtime::cli::Variable {
                    env: #env,
                    key: #key,
                    flag: #flag,
                    secret: #secret,
                    about: #about,
                    values: &[#(#values),*],
                }
            }
        })
        .collect()
}

fn primary_scheme_kind(api: &Api) -> Option<&SecurityKind> {
    super::credentials::primary_scheme(api).map(|scheme| &scheme.kind)
}

/// Each operation's group: its first tag, as a command name (none when no operation of the
/// API has a tag; `untagged` for those without one when others have).
fn groups(api: &Api) -> BTreeMap<String, String> {
    let mut names = Registry::with_reserved(scope::CLI_API);
    let mut by_tag: BTreeMap<Option<&str>, String> = BTreeMap::new();
    if api.operations.iter().all(|op| op.tags.is_empty()) {
        return BTreeMap::new();
    }
    api.operations
        .iter()
        .map(|op| {
            let tag = op.tags.first().map(String::as_str);
            let group = by_tag
                .entry(tag)
                .or_insert_with(|| names.claim(&tag.map_or_else(|| "untagged".to_owned(), kebab)))
                .clone();
            (op.wire_id.clone(), group)
        })
        .collect()
}

/// What the command line knows of each named type: its kind, to tell how a flag's text
/// becomes a value.
struct TypeKinds<'a> {
    by_name: BTreeMap<&'a str, &'a TypeDef>,
}

impl<'a> TypeKinds<'a> {
    fn of(api: &'a Api) -> Self {
        Self { by_name: api.types.iter().map(|def| (def.name.as_str(), def)).collect() }
    }

    /// The type a reference ends at, through nullables, boxes and aliases.
    fn resolve<'t>(&'t self, ty: &'t TypeRef) -> Resolved<'t> {
        let mut at = ty;
        for _ in 0..=self.by_name.len() {
            match at {
                TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => at = inner,
                TypeRef::Named(name) => match self.by_name.get(name.as_str()).map(|def| &def.kind) {
                    Some(TypeKind::Alias(inner)) => at = inner,
                    Some(kind) => return Resolved::Named(kind),
                    None => return Resolved::Other(at),
                },
                other => return Resolved::Other(other),
            }
        }
        Resolved::Other(ty)
    }

    /// How a flag's text becomes a value of `ty`: `in_body` for a field of a JSON body, which
    /// takes the wire's form (an integer sent as text is text there).
    fn kind(&self, ty: &TypeRef, in_body: bool) -> (&'static str, Vec<String>) {
        let (text, json) = ("text", "json");
        match self.resolve(ty) {
            Resolved::Named(TypeKind::Enum(variants)) => {
                (text, variants.iter().map(|v| v.wire_value.clone()).collect())
            }
            Resolved::Named(_) => (json, Vec::new()),
            Resolved::Other(TypeRef::Bool) => ("switch", Vec::new()),
            Resolved::Other(TypeRef::IntText(_)) if in_body => (text, Vec::new()),
            Resolved::Other(
                TypeRef::Int(_)
                | TypeRef::IntText(_)
                | TypeRef::Float(_)
                | TypeRef::Json
                | TypeRef::Array(_)
                | TypeRef::Map(_),
            ) => (json, Vec::new()),
            Resolved::Other(_) => (text, Vec::new()),
        }
    }

    /// The item of `ty` when it is an array given once per value (of scalars or enums).
    fn repeated<'t>(&'t self, ty: &'t TypeRef) -> Option<&'t TypeRef> {
        match self.resolve(ty) {
            Resolved::Other(TypeRef::Array(item)) => match self.resolve(item) {
                Resolved::Named(TypeKind::Enum(_)) => Some(item),
                Resolved::Named(_) | Resolved::Other(TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Json) => None,
                Resolved::Other(_) => Some(item),
            },
            _ => None,
        }
    }

    /// The fields of a JSON body of type `ty`, when it is an object with fixed fields.
    fn fields<'t>(&'t self, ty: &'t TypeRef) -> &'t [Field] {
        match self.resolve(ty) {
            Resolved::Named(TypeKind::Struct(body)) => &body.fields,
            _ => &[],
        }
    }
}

enum Resolved<'a> {
    Named(&'a TypeKind),
    Other(&'a TypeRef),
}

/// One operation's command: its inputs with their flags.
struct OperationCommand<'a> {
    op: &'a Operation,
    inputs: Vec<InputFlag<'a>>,
    kinds: &'a TypeKinds<'a>,
}

/// One input and its flag.
struct InputFlag<'a> {
    flag: String,
    source: InputSource<'a>,
}

#[derive(Clone, Copy)]
enum InputSource<'a> {
    Param(&'a Param),
    Field(&'a Field),
    Part(&'a MultipartField),
}

impl<'a> OperationCommand<'a> {
    fn new(op: &'a Operation, kinds: &'a TypeKinds<'a>) -> Self {
        let mut flags = Registry::with_reserved(scope::CLI_FLAGS);
        // The flags the command line adds to this command alone.
        let body = op.body.as_ref().is_some_and(|body| !matches!(body.kind, BodyKind::Multipart(_)));
        let download = responses::is_download(op);
        for (added, names) in
            [(body, &["body"][..]), (op.pagination.is_some(), &["all"]), (download, &["output", "force"])]
        {
            if added {
                names.iter().for_each(|name| flags.reserve(name));
            }
        }
        let mut inputs: Vec<InputFlag<'a>> = op
            .params
            .iter()
            .map(|param| InputFlag { flag: flags.claim(&kebab(&param.rust_name)), source: InputSource::Param(param) })
            .collect();
        match op.body.as_ref().map(|body| &body.kind) {
            Some(BodyKind::Json(ty) | BodyKind::Form(ty)) => inputs.extend(kinds.fields(ty).iter().map(|field| {
                InputFlag { flag: flags.claim(&kebab(&field.rust_name)), source: InputSource::Field(field) }
            })),
            Some(BodyKind::Multipart(parts)) => {
                inputs.extend(parts.iter().map(|part| InputFlag {
                    flag: flags.claim(&kebab(&part.rust_name)),
                    source: InputSource::Part(part),
                }))
            }
            _ => {}
        }
        Self { op, inputs, kinds }
    }

    /// The operation's entry in the API's table: its command as one JSON literal.
    fn entry(&self, module: &str, group: Option<&str>, function: &proc_macro2::Ident) -> TokenStream {
        let op = self.op;
        let about = one_line(op.summary.as_deref().or(op.description.as_deref()).unwrap_or_default());
        let about = if op.deprecated { format!("[deprecated] {about}").trim_end().to_owned() } else { about };
        let mut table = serde_json::Map::new();
        table.insert("name".into(), kebab(&op.rust_name).into());
        table.insert("group".into(), group.into());
        insert_text(&mut table, "about", about);
        insert_text(&mut table, "long_about", op.description.as_deref().or(op.summary.as_deref()).unwrap_or_default());
        if !self.inputs.is_empty() {
            table.insert("inputs".into(), self.inputs.iter().map(|input| self.input_entry(input)).collect());
        }
        if let Some(body) = &op.body {
            table.insert("body".into(), body_entry(body));
        }
        table.insert("output".into(), output(op));
        if let Some(pagination) = &op.pagination {
            table.insert("pages".into(), schema(&pagination.item_type));
        }
        let table = text(&serde_json::Value::Object(table).to_string());
        let module = format_ident!("{}", module);
        quote! {
            runtime::cli::Operation {
                info: super::operations::#module::operation,
                table: #table,
                run: #function,
            }
        }
    }

    fn input_entry(&self, input: &InputFlag<'_>) -> serde_json::Value {
        let (wire, place, required, ty, default, about) = match input.source {
            InputSource::Param(param) => {
                let place = match param.location {
                    ParamLocation::Path => "path",
                    ParamLocation::Query => "query",
                    ParamLocation::Header => "header",
                    ParamLocation::Cookie => "cookie",
                };
                (&param.wire_name, place, param.required, Some(&param.ty), &param.default, &param.description)
            }
            InputSource::Field(field) => {
                (&field.wire_name, "field", field.required, Some(&field.ty), &field.default, &field.description)
            }
            InputSource::Part(part) => (&part.wire_name, "part", part.required, None, &None, &part.description),
        };
        let in_body = !matches!(input.source, InputSource::Param(_));
        let (kind, values, repeated, schema) = match (ty, input.source) {
            (Some(ty), _) => {
                let repeated = self.kinds.repeated(ty);
                let (kind, values) = self.kinds.kind(repeated.unwrap_or(ty), in_body);
                // A body field's schema is its property's in the body type's definition,
                // where `schema` finds it: not written twice.
                (kind, values, repeated.is_some(), (!in_body).then(|| schema(ty)))
            }
            (None, InputSource::Part(part)) if part.is_file => {
                ("file", Vec::new(), false, Some(json!({ "type": "string", "format": "binary" })))
            }
            (None, _) => ("text", Vec::new(), false, Some(json!({ "type": "string" }))),
        };
        let mut entry = serde_json::Map::new();
        entry.insert("flag".into(), input.flag.clone().into());
        entry.insert("wire".into(), wire.clone().into());
        entry.insert("place".into(), place.into());
        entry.insert("kind".into(), kind.into());
        insert_true(&mut entry, "required", required);
        insert_true(&mut entry, "repeated", repeated);
        if !values.is_empty() {
            entry.insert("values".into(), values.into());
        }
        if let Some(default) = default {
            let default = serde_json::from_str(default).unwrap_or_else(|_| default.clone().into());
            entry.insert("default".into(), default);
        }
        insert_text(&mut entry, "about", one_line(about.as_deref().unwrap_or_default()));
        if let Some(schema) = schema {
            entry.insert("schema".into(), schema);
        }
        serde_json::Value::Object(entry)
    }

    /// The function that makes the call from the parsed inputs.
    fn function(&self, module: &str, function: &proc_macro2::Ident) -> TokenStream {
        let op = self.op;
        let method = ident(&op.rust_name);
        let mut args = Vec::new();
        let mut setters = Vec::new();
        for input in &self.inputs {
            let (setter, value) = match input.source {
                InputSource::Param(param) => {
                    (ident(&param.rust_name), self.value(&input.flag, &param.ty, param.required))
                }
                InputSource::Part(part) => (ident(&part.rust_name), part_value(&input.flag, part)),
                // Fields go into the body, read whole below.
                InputSource::Field(_) => continue,
            };
            match value {
                Value::Required(value) => args.push(value),
                Value::Optional(value) => setters.push(quote! {
                    if let Some(value) = #value {
                        call = call.#setter(value);
                    }
                }),
            }
        }
        if let Some(body) = &op.body {
            match body_value(body) {
                Some(Value::Required(value)) => args.push(value),
                Some(Value::Optional(value)) => setters.push(quote! {
                    if let Some(body) = #value {
                        call = call.body(body);
                    }
                }),
                None => {}
            }
        }
        let binding = if setters.is_empty() {
            quote! { call }
        } else {
            quote! { mut call }
        };
        let all = op.pagination.is_some().then(|| {
            quote! {
                if args.all() {
                    return Ok(runtime::cli::items(call.into_stream()));
                }
            }
        });
        let send = send(op, module);
        let body = quote! {
            let #binding = client.#method(#(#args),*);
            #(#setters)*
            #all
            #send
        };
        let args = if names_ident(&body, "args") {
            quote! { args }
        } else {
            quote! { _ }
        };
        let deprecated = op.deprecated.then(|| {
            quote! { #[expect(deprecated, reason = "the command line offers every operation of the document")] }
        });
        quote! {
            #deprecated
            fn #function(client: &Client, #args: &mut Args) -> Result<Run, Failure> {
                #body
            }
        }
    }

    /// How a parameter of type `ty` is read.
    fn value(&self, flag: &str, ty: &TypeRef, required: bool) -> Value {
        match (self.kinds.repeated(ty), required) {
            (Some(item), true) => {
                let item = type_tokens(item, true);
                Value::Required(quote! { args.required_list::<#item>(#flag)? })
            }
            (Some(item), false) => {
                let item = type_tokens(item, true);
                Value::Optional(quote! { args.list::<#item>(#flag)? })
            }
            (None, true) => {
                let ty = type_tokens(ty, true);
                Value::Required(quote! { args.required::<#ty>(#flag)? })
            }
            (None, false) => {
                let ty = type_tokens(ty, true);
                Value::Optional(quote! { args.optional::<#ty>(#flag)? })
            }
        }
    }
}

/// An input's value: an argument of the client's method, or a setter's when given.
enum Value {
    Required(TokenStream),
    Optional(TokenStream),
}

fn part_value(flag: &str, part: &MultipartField) -> Value {
    match (part.is_file, part.required) {
        (true, true) => Value::Required(quote! { args.required_file(#flag)? }),
        (true, false) => Value::Optional(quote! { args.file(#flag)? }),
        (false, true) => Value::Required(quote! { args.required::<String>(#flag)? }),
        (false, false) => Value::Optional(quote! { args.optional::<String>(#flag)? }),
    }
}

/// How the body is read (none for a multipart body: its parts are inputs).
fn body_value(body: &RequestBody) -> Option<Value> {
    let (required, optional) = match &body.kind {
        BodyKind::Json(ty) | BodyKind::Form(ty) => {
            let ty = type_tokens(ty, true);
            (quote! { args.required_body::<#ty>()? }, quote! { args.body::<#ty>()? })
        }
        BodyKind::Text => (quote! { args.required_text_body()? }, quote! { args.text_body()? }),
        BodyKind::Binary => (quote! { args.required_bytes_body()? }, quote! { args.bytes_body()? }),
        BodyKind::Multipart(_) => return None,
    };
    Some(if body.required { Value::Required(required) } else { Value::Optional(optional) })
}

fn body_entry(body: &RequestBody) -> serde_json::Value {
    let (kind, schema_value) = match &body.kind {
        BodyKind::Json(ty) | BodyKind::Form(ty) => ("json", schema(ty)),
        BodyKind::Text => ("text", json!({ "type": "string" })),
        BodyKind::Binary => ("bytes", json!({ "type": "string", "format": "binary" })),
        BodyKind::Multipart(parts) => {
            let properties: serde_json::Map<String, serde_json::Value> = parts
                .iter()
                .map(|part| {
                    let format = if part.is_file { Some("binary") } else { None };
                    (part.wire_name.clone(), json!({ "type": "string", "format": format }))
                })
                .collect();
            ("parts", json!({ "type": "object", "properties": properties }))
        }
    };
    let mut entry = serde_json::Map::new();
    entry.insert("media_type".into(), body.media_type.clone().into());
    insert_true(&mut entry, "required", body.required);
    entry.insert("kind".into(), kind.into());
    insert_text(&mut entry, "about", one_line(body.description.as_deref().unwrap_or_default()));
    entry.insert("schema".into(), schema_value);
    serde_json::Value::Object(entry)
}

/// `key: true` in `entry` when `value` is (false is the runtime's default).
fn insert_true(entry: &mut serde_json::Map<String, serde_json::Value>, key: &str, value: bool) {
    if value {
        entry.insert(key.into(), true.into());
    }
}

/// `key: text` in `entry` unless the text is empty (the runtime's default).
fn insert_text(entry: &mut serde_json::Map<String, serde_json::Value>, key: &str, text: impl Into<String>) {
    let text = text.into();
    if !text.is_empty() {
        entry.insert(key.into(), text.into());
    }
}

/// What the operation answers, for `--output` and `schema`.
fn output(op: &Operation) -> serde_json::Value {
    if responses::is_download(op) {
        return "file".into();
    }
    let bodies = responses::success_bodies(op);
    match bodies.as_slice() {
        [] | [None] => "empty".into(),
        [Some(ResponseBody::Text)] => "text".into(),
        [Some(ResponseBody::Json(ty))] => json!({ "json": schema(ty) }),
        several => {
            let each: Vec<serde_json::Value> = several
                .iter()
                .map(|body| match body {
                    Some(ResponseBody::Json(ty)) => schema(ty),
                    Some(ResponseBody::Text) => json!({ "type": "string" }),
                    Some(ResponseBody::Binary) => json!({ "type": "string", "format": "binary" }),
                    None => json!({ "type": "null" }),
                })
                .collect();
            json!({ "json": { "oneOf": each } })
        }
    }
}

/// The statement that sends the call and prints its answer: a download to `--output`, any
/// other answer as it came once the operation's reader has accepted it.
fn send(op: &Operation, module: &str) -> TokenStream {
    if responses::is_download(op) {
        return quote! { runtime::cli::download(call.send(), args) };
    }
    let Seen { success, error, reader } = responses::seen_from_api(op, module);
    quote! { Ok(runtime::cli::answer(call.send_with(runtime::cli::raw::<#success, #error>(#reader)))) }
}

/// A string literal for the tables, raw: the formatter reads every literal back character
/// by character to undo escapes, and JSON Schema text is full of `\"`.
fn text(value: &str) -> proc_macro2::Literal {
    super::docs::raw_string("", value)
}

/// Whether `tokens` use the identifier `name`.
fn names_ident(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == name,
        proc_macro2::TokenTree::Group(group) => names_ident(&group.stream(), name),
        _ => false,
    })
}

/// A text on one line, for a command's or flag's short help: its first paragraph.
fn one_line(text: &str) -> String {
    let first = text.trim().split("\n\n").next().unwrap_or_default();
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The JSON Schema of a type reference; named types refer to the API's definitions.
fn schema(ty: &TypeRef) -> serde_json::Value {
    match ty {
        TypeRef::Bool => json!({ "type": "boolean" }),
        TypeRef::Int(kind) | TypeRef::IntText(kind) => {
            let mut value = match kind {
                IntKind::I32 => json!({ "type": "integer", "format": "int32" }),
                IntKind::I64 => json!({ "type": "integer", "format": "int64" }),
                IntKind::U32 | IntKind::U64 => json!({ "type": "integer", "minimum": 0 }),
            };
            if matches!(ty, TypeRef::IntText(_)) {
                value["type"] = "string".into();
            }
            value
        }
        TypeRef::Float(FloatKind::F32) => json!({ "type": "number", "format": "float" }),
        TypeRef::Float(FloatKind::F64) => json!({ "type": "number" }),
        TypeRef::String => json!({ "type": "string" }),
        TypeRef::DateTime => json!({ "type": "string", "format": "date-time" }),
        TypeRef::Date => json!({ "type": "string", "format": "date" }),
        TypeRef::Binary => json!({ "type": "string", "format": "binary" }),
        TypeRef::Uuid => json!({ "type": "string", "format": "uuid" }),
        TypeRef::Base64 => json!({ "type": "string", "format": "byte" }),
        TypeRef::Json => json!({}),
        TypeRef::Named(name) => json!({ "$ref": format!("#/definitions/{name}") }),
        TypeRef::Array(item) => json!({ "type": "array", "items": schema(item) }),
        TypeRef::Map(value) => json!({ "type": "object", "additionalProperties": schema(value) }),
        TypeRef::Nullable(inner) => json!({ "anyOf": [schema(inner), { "type": "null" }] }),
        TypeRef::Boxed(inner) => schema(inner),
    }
}

/// The JSON Schema of a named type.
fn definition(def: &TypeDef) -> serde_json::Value {
    let mut value = match &def.kind {
        TypeKind::Struct(body) => {
            let properties: serde_json::Map<String, serde_json::Value> = body
                .fields
                .iter()
                .map(|field| {
                    let mut property = schema(&field.ty);
                    if let Some(description) = &field.description {
                        property["description"] = description.as_str().into();
                    }
                    (field.wire_name.clone(), property)
                })
                .collect();
            let required: Vec<&str> = body.fields.iter().filter(|f| f.required).map(|f| f.wire_name.as_str()).collect();
            let mut value = json!({ "type": "object", "properties": properties, "required": required });
            if let Some(additional) = &body.additional {
                value["additionalProperties"] = schema(additional);
            }
            value
        }
        TypeKind::Enum(variants) => {
            json!({ "type": "string", "enum": variants.iter().map(|v| v.wire_value.as_str()).collect::<Vec<_>>() })
        }
        TypeKind::Union(union) => {
            let each: Vec<serde_json::Value> = union
                .variants
                .iter()
                .map(|v| v.ty.as_ref().map_or_else(|| json!({ "type": "object" }), schema))
                .collect();
            let mut value = json!({ "oneOf": each });
            if let Some(tag) = &union.tag_property {
                value["discriminator"] = json!({ "propertyName": tag });
            }
            value
        }
        TypeKind::Alias(target) => schema(target),
        TypeKind::ByStatus(variants) => json!({ "oneOf": variants.iter().map(|v| schema(&v.ty)).collect::<Vec<_>>() }),
    };
    if let (Some(description), Some(fields)) = (&def.description, value.as_object_mut()) {
        fields.insert("description".into(), description.as_str().into());
    }
    value
}
