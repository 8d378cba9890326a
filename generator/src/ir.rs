//! The intermediate representation: what an API offers, in plain data.
//!
//! Nothing here knows OpenAPI. Names are already Rust names (with the wire name kept beside
//! them), types are already resolved to Rust shapes, and every list is in its final order,
//! so a renderer only has to print.

use std::collections::BTreeSet;

/// One API: the unit that becomes a module and a cargo feature of the generated crate.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Rust module name, e.g. `insightvm`.
    pub module: String,
    /// Title from the document.
    pub title: String,
    /// Version of the API (not of the crate).
    pub version: String,
    /// Description, Markdown.
    pub description: Option<String>,
    /// The variable `Client::from_env` reads the base URL from.
    pub base_url_env: String,
    pub servers: Vec<Server>,
    pub security_schemes: Vec<SecurityScheme>,
    pub operations: Vec<Operation>,
    /// Named types, sorted by name.
    pub types: Vec<TypeDef>,
    /// A login operation that answers the token of a scheme (from the settings).
    pub login: Option<Login>,
    /// Each tag's operations (by their first tag) sit behind a cargo feature of their own.
    pub tag_features: bool,
    /// The document's operations that the settings' selection leaves out, by operationId,
    /// sorted (none without a selection): the change report tells of new ones.
    pub unselected: Vec<LeftOut>,
}

/// An operation of the document that is not generated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LeftOut {
    pub wire_id: String,
    /// `GET /path`.
    pub route: String,
    /// JSON pointer of the operation in its document.
    pub pointer: String,
}

/// How the client logs in to get a scheme's token: the builder's setter takes the login
/// operation's body, and the runtime calls it when a call first needs the token.
#[derive(Debug, Clone, PartialEq)]
pub struct Login {
    /// The builder's setter (`login`).
    pub setter: String,
    /// The login operation's method on the client.
    pub operation: String,
    /// Its JSON body.
    pub body: TypeRef,
    /// The scheme the token is sent as (its wire name).
    pub scheme: String,
    /// Dotted paths in the answer: the token, and its lifetime in seconds.
    pub token_path: String,
    pub expires_in_path: Option<String>,
    /// The lifetime in seconds when the answer does not say.
    pub lifetime_seconds: Option<u64>,
}

impl Api {
    /// Rewrites every JSON pointer the IR keeps (operations, parameters, fields, type
    /// origins), e.g. from a converted document back to the one the user gave.
    pub fn map_pointers(&mut self, original: impl Fn(&str) -> String) {
        for server in &mut self.servers {
            server.pointer = original(&server.pointer);
        }
        for scheme in &mut self.security_schemes {
            scheme.pointer = original(&scheme.pointer);
        }
        for op in &mut self.operations {
            op.pointer = original(&op.pointer);
            for param in &mut op.params {
                param.pointer = original(&param.pointer);
            }
        }
        for def in &mut self.types {
            def.origin = original(&def.origin);
            if let TypeKind::Struct(body) = &mut def.kind {
                for field in &mut body.fields {
                    field.pointer = original(&field.pointer);
                }
            }
        }
    }
}

/// A base URL template with its variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// The URL with `{variable}` placeholders.
    pub url: String,
    pub description: Option<String>,
    pub variables: Vec<ServerVariable>,
    /// JSON pointer of the server in its document (`/servers/0`; `/host` in Swagger 2.0).
    pub pointer: String,
}

impl Server {
    /// Whether the URL, each variable at its default, is an absolute `http(s)` URL (the
    /// scheme in any case, or a variable such as `{scheme}://`): one a client can default to.
    pub fn is_absolute(&self) -> bool {
        let defaults = self.variables.iter().map(|v| (v.wire_name.as_str(), v.default.as_str()));
        let url = with_defaults(&self.url, defaults).to_ascii_lowercase();
        url.starts_with("http://") || url.starts_with("https://")
    }
}

/// A server URL template with each `{name}` replaced by its value.
pub fn with_defaults<'a>(template: &str, values: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut url = template.to_owned();
    for (name, value) in values {
        url = url.replace(&format!("{{{name}}}"), value);
    }
    url
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerVariable {
    /// Name inside the URL template.
    pub wire_name: String,
    /// Rust name of the setter (`region`).
    pub rust_name: String,
    /// Rust type name of the enum when the values are listed (`Region`).
    pub type_name: String,
    pub default: String,
    /// Allowed values with their Rust variant names; empty means free text.
    pub values: Vec<EnumVariant>,
    pub description: Option<String>,
}

/// How a security scheme carries its credential.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// Name in the document (`X-Api-Key` schemes are named e.g. `ApiKey`).
    pub wire_name: String,
    /// Rust setter name.
    pub rust_name: String,
    pub kind: SecurityKind,
    pub description: Option<String>,
    /// The API works without it; the user sets it when the server asks (a two-factor token).
    pub optional: bool,
    /// Where it is declared: a JSON pointer into the document, or the codegen config.
    pub pointer: String,
    /// The builder's setter that takes a token source for it (`None` for Basic).
    pub source_setter: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SecurityKind {
    /// A key in a header, query parameter or cookie; in a header, after `prefix`.
    ApiKey {
        location: ParamLocation,
        name: String,
        prefix: String,
    },
    Bearer,
    Basic,
    /// OAuth2 client credentials: a client id and secret exchanged at `token_url` for a
    /// bearer token the runtime refreshes.
    ClientCredentials(ClientCredentialsFlow),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientCredentialsFlow {
    /// As the document gives it (relative ones resolve against the base URL).
    pub token_url: String,
    /// The first server the document names, with its variables' defaults: a token URL at
    /// its origin follows the client to the origin it is configured for.
    pub documented_server: Option<String>,
    pub scopes: Vec<String>,
    /// The client authenticates in the form body instead of with HTTP Basic.
    pub auth_in_body: bool,
    /// Extra form fields of the token request.
    pub form: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// Methods that HTTP defines as safe to repeat.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The operationId as written (or derived from method + path when absent).
    pub wire_id: String,
    /// JSON pointer of the operation in its document.
    pub pointer: String,
    /// Rust method name (`search_integration_assets`).
    pub rust_name: String,
    /// Rust type name of the request builder (`SearchIntegrationAssets`).
    pub type_name: String,
    /// Names of the types the operation may need beside its builder, claimed up front so
    /// they collide with nothing: the success enum, the error enum, the multipart form.
    pub companion_types: CompanionTypes,
    pub method: Method,
    pub path: Vec<PathPart>,
    /// The path as written, for docs and tracing.
    pub path_template: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    /// Path parameters in template order, then query, header, cookie.
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    /// Successful responses by status (2xx and ranges), in status order.
    pub success: Vec<Response>,
    /// Documented error responses by status, in status order; `default` last.
    pub errors: Vec<Response>,
    /// Security schemes the operation accepts (wire names); empty: anonymous.
    pub security: Vec<String>,
    /// The schemes it cannot go without: those every one of its alternatives names (none
    /// when the document makes security optional with `{}`).
    pub requires: Vec<String>,
    /// Safe to retry: idempotent method or marked read-only in the codegen config.
    pub retry_safe: bool,
    pub pagination: Option<Pagination>,
}

impl Operation {
    /// The types the operation names itself: its parameters', its body's and its JSON
    /// answers' (not what those contain).
    pub fn type_refs(&self) -> Vec<&TypeRef> {
        let mut types: Vec<&TypeRef> = self.params.iter().map(|p| &p.ty).collect();
        if let Some(BodyKind::Json(ty) | BodyKind::Form(ty)) = self.body.as_ref().map(|b| &b.kind) {
            types.push(ty);
        }
        for response in self.success.iter().chain(&self.errors) {
            if let Some(ResponseBody::Json(ty)) = &response.body {
                types.push(ty);
            }
        }
        types
    }

    /// The error responses with a JSON body, with its type.
    pub fn documented_errors(&self) -> Vec<(&Response, &TypeRef)> {
        self.errors
            .iter()
            .filter_map(|r| match &r.body {
                Some(ResponseBody::Json(ty)) => Some((r, ty)),
                _ => None,
            })
            .collect()
    }

    /// The distinct types of the JSON error bodies, sorted.
    pub fn error_body_types(&self) -> Vec<&TypeRef> {
        let mut types: Vec<&TypeRef> = self.documented_errors().into_iter().map(|(_, ty)| ty).collect();
        types.sort();
        types.dedup();
        types
    }

    /// The names of the types the operation reaches: those it names (its errors by status
    /// among them) and every type they contain, found by `kind_of`.
    pub fn reached_types<'t>(&'t self, kind_of: impl Fn(&str) -> Option<&'t TypeKind>) -> BTreeSet<&'t str> {
        let mut pending: Vec<&str> = self.type_refs().into_iter().filter_map(TypeRef::named_type).collect();
        pending.push(&self.companion_types.error);
        let mut reached = BTreeSet::new();
        while let Some(name) = pending.pop() {
            let Some(kind) = kind_of(name) else { continue };
            if reached.insert(name) {
                pending.extend(kind.parts().into_iter().filter_map(TypeRef::named_type));
            }
        }
        reached
    }

    /// Whether the errors are a type of their own (`companion_types.error` in the API's
    /// types): bodies of several types, told apart by status.
    pub fn errors_by_status(&self) -> bool {
        self.error_body_types().len() > 1
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompanionTypes {
    pub response: String,
    pub error: String,
    pub form: String,
    /// The struct that holds the operation's inputs inside its request builder.
    pub input: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathPart {
    Literal(String),
    /// Index into `Operation::params`.
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    /// The location as the spec spells it (`path`, `query`, `header`, `cookie`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// How a parameter value is spelled on the wire (OpenAPI `style` with `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// Query and cookie default. Exploded: `name=a&name=b`, objects as `key=value` pairs;
    /// not exploded: `name=a,b`.
    Form { explode: bool },
    /// `name=a%20b`.
    SpaceDelimited,
    /// `name=a|b`.
    PipeDelimited,
    /// `name=a%09b` (Swagger 2.0 `collectionFormat: tsv`; OpenAPI 3 has no such style).
    TabDelimited,
    /// `name[key]=value`.
    DeepObject,
    /// Path and header: `a,b`.
    Simple,
    /// The value as JSON text, in any location (a parameter with `content: application/json`).
    Json,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub rust_name: String,
    pub wire_name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: TypeRef,
    pub style: ParamStyle,
    pub description: Option<String>,
    /// The default from the spec, as JSON text, for docs.
    pub default: Option<String>,
    /// JSON pointer of the parameter in its document.
    pub pointer: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    pub required: bool,
    pub description: Option<String>,
    pub media_type: String,
    pub kind: BodyKind,
    /// The other media types the operation accepts, reachable as raw bytes.
    pub alternatives: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BodyKind {
    /// A JSON document of this type.
    Json(TypeRef),
    /// `multipart/form-data` with these fields.
    Multipart(Vec<MultipartField>),
    /// `application/x-www-form-urlencoded` of this type.
    Form(TypeRef),
    /// Plain text.
    Text,
    /// Raw bytes.
    Binary,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MultipartField {
    pub rust_name: String,
    pub wire_name: String,
    pub required: bool,
    pub is_file: bool,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: StatusMatch,
    pub description: Option<String>,
    /// `None`: no body.
    pub body: Option<ResponseBody>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusMatch {
    Code(u16),
    /// `2XX`: the hundreds digit.
    Range(u16),
    Default,
}

impl StatusMatch {
    /// The status as the spec spells it: `404`, `5XX`, `default`.
    pub fn label(self) -> String {
        match self {
            StatusMatch::Code(code) => code.to_string(),
            StatusMatch::Range(range) => format!("{range}XX"),
            StatusMatch::Default => "default".into(),
        }
    }

    /// The statuses matched, as an inclusive range (`default` matches all of them).
    pub fn range(self) -> (u16, u16) {
        match self {
            StatusMatch::Code(code) => (code, code),
            StatusMatch::Range(range) => (range * 100, range * 100 + 99),
            StatusMatch::Default => (0, 999),
        }
    }

    /// The statuses this one matches that none of `others` names exactly, as disjoint
    /// inclusive ranges in order: what a `match` arm for it covers when the exact codes have
    /// arms of their own (`2XX` beside `200` is `201..=299`), so no two arms overlap and
    /// their order does not matter. Empty for `default`, which takes whatever is left.
    pub fn ranges_besides(self, others: &[StatusMatch]) -> Vec<(u16, u16)> {
        let (low, high) = match self {
            StatusMatch::Default => return Vec::new(),
            StatusMatch::Code(_) => return vec![self.range()],
            StatusMatch::Range(_) => self.range(),
        };
        let mut exact: Vec<u16> = others
            .iter()
            .filter_map(|other| match other {
                StatusMatch::Code(code) if (low..=high).contains(code) => Some(*code),
                _ => None,
            })
            .collect();
        exact.sort_unstable();
        exact.dedup();
        let mut ranges = Vec::new();
        let mut next = low;
        for code in exact {
            if code > next {
                ranges.push((next, code - 1));
            }
            next = code + 1;
        }
        if next <= high {
            ranges.push((next, high));
        }
        ranges
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    Json(TypeRef),
    Text,
    /// Streamed bytes (files, downloads).
    Binary,
}

/// How a paginated operation moves from page to page.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    pub kind: PaginationKind,
    /// Path to the item array inside a page.
    pub items: FieldPath,
    /// The item type.
    pub item_type: TypeRef,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PaginationKind {
    /// The next request sets `param` to the value at `next`; a missing or null value ends.
    /// `page_param`, when set, is advanced by one alongside.
    Cursor { param: usize, next: PageValue, page_param: Option<usize> },
    /// Page numbers from the request's `param`; ends at `total_pages` or an empty page.
    PageNumber { param: usize, start: i64, total_pages: Option<PageValue> },
    /// The offset `param` grows by the number of items received; a page shorter than the
    /// request's `limit` parameter (when there is one), an empty page, or reaching `total`
    /// items ends.
    Offset { param: usize, limit: Option<usize>, total: Option<PageValue> },
    /// The next request goes to the URL at `next`; a missing or null value ends.
    NextLink { next: PageValue },
}

/// Where a page says something about the next: a field of its body, or a header.
#[derive(Debug, Clone, PartialEq)]
pub enum PageValue {
    Body(FieldPath),
    /// A header holding the value itself.
    Header(String),
    /// An RFC 8288 `Link` header: the URL of its `rel="next"` link.
    NextLinkHeader(String),
}

/// A chain of field accesses from a response body.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPath {
    pub steps: Vec<FieldStep>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldStep {
    pub rust_name: String,
    /// The field is an `Option`.
    pub optional: bool,
}

/// A Rust type as used in a field, parameter or body.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    Bool,
    Int(IntKind),
    /// An integer the wire carries as JSON text (`type: string, format: int64`, as gRPC
    /// gateways and others send 64-bit integers): an integer in Rust, read and sent as text.
    IntText(IntKind),
    Float(FloatKind),
    String,
    DateTime,
    Date,
    /// Raw bytes: a file in a body, a download; as a JSON field, the raw text.
    Binary,
    /// A UUID (`format: uuid`).
    Uuid,
    /// Bytes written as base64 text in JSON (`format: byte`).
    Base64,
    /// Any JSON value.
    Json,
    /// A named type in the API's `types` module.
    Named(String),
    Array(Box<TypeRef>),
    /// A map from string keys.
    Map(Box<TypeRef>),
    /// A value that may be JSON `null`.
    Nullable(Box<TypeRef>),
    /// A value stored behind a pointer to break a recursive cycle.
    Boxed(Box<TypeRef>),
}

impl TypeRef {
    /// The type this reference names, through arrays, maps, nullables and boxes.
    pub fn named_type(&self) -> Option<&str> {
        match self {
            TypeRef::Named(name) => Some(name),
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => {
                inner.named_type()
            }
            _ => None,
        }
    }
}

impl TypeKind {
    /// What a value of the type holds: its fields, its variants' values or the aliased type
    /// (not the values of a struct's extra properties, which sit in a map).
    pub fn members(&self) -> Vec<&TypeRef> {
        match self {
            TypeKind::Struct(body) => body.fields.iter().map(|f| &f.ty).collect(),
            TypeKind::Union(union) => union.variants.iter().filter_map(|v| v.ty.as_ref()).collect(),
            TypeKind::Alias(ty) => vec![ty],
            TypeKind::ByStatus(variants) => variants.iter().map(|v| &v.ty).collect(),
            TypeKind::Enum(_) => Vec::new(),
        }
    }

    /// Every type reference of the type: its [members](Self::members) and the type of a
    /// struct's extra properties.
    pub fn parts(&self) -> Vec<&TypeRef> {
        let mut parts = self.members();
        if let TypeKind::Struct(body) = self {
            parts.extend(&body.additional);
        }
        parts
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntKind {
    I32,
    I64,
    U32,
    U64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FloatKind {
    F32,
    F64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub description: Option<String>,
    /// JSON pointer of the schema it comes from, for the generated docs.
    pub origin: String,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeKind {
    Struct(Struct),
    /// A string enum that keeps unknown values.
    Enum(Vec<EnumVariant>),
    /// One of several shapes: told apart by a tag property when the spec gives a
    /// discriminator, else by trying each in order.
    Union(Union),
    /// Another name for a type.
    Alias(TypeRef),
    /// Bodies told apart by the HTTP status they came with (an operation's documented
    /// errors): never read from JSON alone, the runtime builds one from the status.
    ByStatus(Vec<StatusVariant>),
}

/// One variant of a [`TypeKind::ByStatus`]: the body of the statuses it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusVariant {
    pub rust_name: String,
    pub status: StatusMatch,
    pub ty: TypeRef,
    /// The response's description.
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// Type of extra properties kept beside the fixed ones.
    pub additional: Option<TypeRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    pub rust_name: String,
    pub wire_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    /// Optional and nullable in a type the client sends: `Option<Option<T>>`, so that "leave
    /// it out" (`None`) and "send null" (`Some(None)`) stay distinct.
    pub send_null: bool,
    pub description: Option<String>,
    /// The spec's default, as JSON text, for the docs.
    pub default: Option<String>,
    /// JSON pointer of the property in its document.
    pub pointer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnumVariant {
    pub rust_name: String,
    pub wire_value: String,
    /// What the value means, when the spec says (a `oneOf` of one-value enums).
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Union {
    pub variants: Vec<UnionVariant>,
    /// The property whose value names the variant (OpenAPI `discriminator`, or a required
    /// one-value enum property that every variant has); every variant then has at least one
    /// tag, and values no variant claims are kept as JSON.
    pub tag_property: Option<String>,
    /// With a tag: the one property beside it that holds each variant's content (`{"type":
    /// "vpc", "value": …}`), when every variant is written that way.
    pub content_property: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnionVariant {
    pub rust_name: String,
    /// The variant's content; `None` for a tagged variant that carries nothing but its tag.
    pub ty: Option<TypeRef>,
    pub description: Option<String>,
    /// The values of the tag property that select this variant (empty when untagged).
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::StatusMatch::{self, Code, Default, Range};
    use super::{Server, ServerVariable};

    fn server(url: &str, variables: &[(&str, &str)]) -> Server {
        let variables = variables
            .iter()
            .map(|(name, default)| ServerVariable {
                wire_name: (*name).to_owned(),
                rust_name: (*name).to_owned(),
                type_name: (*name).to_owned(),
                default: (*default).to_owned(),
                values: Vec::new(),
                description: None,
            })
            .collect();
        Server { url: url.to_owned(), description: None, variables, pointer: "/servers/0".into() }
    }

    #[test]
    fn a_server_is_absolute_with_its_variables_at_their_defaults() {
        assert!(server("{scheme}://api.example.com", &[("scheme", "https")]).is_absolute());
        assert!(server("HTTPS://{host}/v1", &[("host", "h")]).is_absolute());
        assert!(!server("/v1", &[]).is_absolute());
        assert!(!server("{base}/v1", &[("base", "api.example.com")]).is_absolute());
        assert!(!server("ftp://example.com", &[]).is_absolute());
    }

    #[test]
    fn a_range_leaves_out_the_codes_with_arms_of_their_own() {
        let among = [Code(200), Range(2), Code(204), Code(404), Default];
        assert_eq!(Range(2).ranges_besides(&among), vec![(201, 203), (205, 299)]);
        assert_eq!(Range(4).ranges_besides(&among), vec![(400, 403), (405, 499)]);
        assert_eq!(Range(5).ranges_besides(&among), vec![(500, 599)]);
        assert_eq!(Code(204).ranges_besides(&among), vec![(204, 204)]);
        assert_eq!(Default.ranges_besides(&among), vec![]);
        // Codes at the ends of the range, and a range every code of which has its own arm.
        assert_eq!(Range(3).ranges_besides(&[Code(300), Code(399)]), vec![(301, 398)]);
        let every: Vec<StatusMatch> = (100..=199).map(Code).collect();
        assert_eq!(Range(1).ranges_besides(&every), vec![]);
    }
}
