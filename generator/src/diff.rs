//! The API change report: what changed between two versions of a document, for code that
//! uses the generated Rust crate.
//!
//! Both versions are lowered to the IR with the same settings, then compared operation by
//! operation, parameter by parameter and type by type, following each type from where it is
//! used: a field matters differently in what the client sends (requests) and in what it
//! receives (responses). Every change names the Rust item it affects and where it is in each
//! document.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::ir::*;

/// How a change affects code that uses the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Code that compiled may stop compiling, or a request the server accepted may be refused.
    Breaking,
    /// New things to use; existing code keeps working.
    Additive,
    /// Documentation only.
    Docs,
}

/// The semver class of a whole report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    Major,
    Minor,
    Patch,
    None,
}

/// What kind of change a [`Change`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    AdditionalPropertiesChanged,
    EnumValueAdded,
    EnumValueRemoved,
    ErrorStatusAdded,
    ErrorStatusRemoved,
    FieldAdded,
    FieldDocs,
    FieldNullableChanged,
    FieldRemoved,
    FieldRequiredChanged,
    FormFieldAdded,
    FormFieldChanged,
    FormFieldRemoved,
    NullableChanged,
    OperationAdded,
    OperationDeprecated,
    OperationDocs,
    OperationMoved,
    OperationNotSelected,
    OperationRemoved,
    OperationRenamed,
    OperationSecurityChanged,
    PaginationChanged,
    ParameterAdded,
    ParameterRemoved,
    ParameterRequiredChanged,
    ParameterStyleChanged,
    RequestBodyAdded,
    RequestBodyRemoved,
    RequestBodyRequiredChanged,
    RequestMediaTypeChanged,
    ResponseBodyChanged,
    SecuritySchemeAdded,
    SecuritySchemeChanged,
    SecuritySchemeRemoved,
    ServerChanged,
    ServerDefaultChanged,
    ServerValueAdded,
    ServerValueRemoved,
    ServerVariableAdded,
    ServerVariableRemoved,
    SuccessStatusesChanged,
    TypeAdded,
    TypeChanged,
    TypeDocs,
    TypeKindChanged,
    TypeRemoved,
    TypeRenamed,
    UnionVariantContentChanged,
    UnionVariantsChanged,
}

impl ChangeKind {
    /// The stable kebab-case name (`parameter-added`), as in JSON reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::AdditionalPropertiesChanged => "additional-properties-changed",
            ChangeKind::EnumValueAdded => "enum-value-added",
            ChangeKind::EnumValueRemoved => "enum-value-removed",
            ChangeKind::ErrorStatusAdded => "error-status-added",
            ChangeKind::ErrorStatusRemoved => "error-status-removed",
            ChangeKind::FieldAdded => "field-added",
            ChangeKind::FieldDocs => "field-docs",
            ChangeKind::FieldNullableChanged => "field-nullable-changed",
            ChangeKind::FieldRemoved => "field-removed",
            ChangeKind::FieldRequiredChanged => "field-required-changed",
            ChangeKind::FormFieldAdded => "form-field-added",
            ChangeKind::FormFieldChanged => "form-field-changed",
            ChangeKind::FormFieldRemoved => "form-field-removed",
            ChangeKind::NullableChanged => "nullable-changed",
            ChangeKind::OperationAdded => "operation-added",
            ChangeKind::OperationDeprecated => "operation-deprecated",
            ChangeKind::OperationDocs => "operation-docs",
            ChangeKind::OperationMoved => "operation-moved",
            ChangeKind::OperationNotSelected => "operation-not-selected",
            ChangeKind::OperationRemoved => "operation-removed",
            ChangeKind::OperationRenamed => "operation-renamed",
            ChangeKind::OperationSecurityChanged => "operation-security-changed",
            ChangeKind::PaginationChanged => "pagination-changed",
            ChangeKind::ParameterAdded => "parameter-added",
            ChangeKind::ParameterRemoved => "parameter-removed",
            ChangeKind::ParameterRequiredChanged => "parameter-required-changed",
            ChangeKind::ParameterStyleChanged => "parameter-style-changed",
            ChangeKind::RequestBodyAdded => "request-body-added",
            ChangeKind::RequestBodyRemoved => "request-body-removed",
            ChangeKind::RequestBodyRequiredChanged => "request-body-required-changed",
            ChangeKind::RequestMediaTypeChanged => "request-media-type-changed",
            ChangeKind::ResponseBodyChanged => "response-body-changed",
            ChangeKind::SecuritySchemeAdded => "security-scheme-added",
            ChangeKind::SecuritySchemeChanged => "security-scheme-changed",
            ChangeKind::SecuritySchemeRemoved => "security-scheme-removed",
            ChangeKind::ServerChanged => "server-changed",
            ChangeKind::ServerDefaultChanged => "server-default-changed",
            ChangeKind::ServerValueAdded => "server-value-added",
            ChangeKind::ServerValueRemoved => "server-value-removed",
            ChangeKind::ServerVariableAdded => "server-variable-added",
            ChangeKind::ServerVariableRemoved => "server-variable-removed",
            ChangeKind::SuccessStatusesChanged => "success-statuses-changed",
            ChangeKind::TypeAdded => "type-added",
            ChangeKind::TypeChanged => "type-changed",
            ChangeKind::TypeDocs => "type-docs",
            ChangeKind::TypeKindChanged => "type-kind-changed",
            ChangeKind::TypeRemoved => "type-removed",
            ChangeKind::TypeRenamed => "type-renamed",
            ChangeKind::UnionVariantContentChanged => "union-variant-content-changed",
            ChangeKind::UnionVariantsChanged => "union-variants-changed",
        }
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub impact: Impact,
    /// The kind of change; serialised as a stable kebab-case name (`parameter-added`).
    pub kind: ChangeKind,
    /// The Rust item it affects (`insightvm::Client::search_assets`, `insightvm::types::Asset::ip`).
    pub rust_item: String,
    pub message: String,
    /// Where it is in the old document (absent for additions).
    pub old_pointer: Option<String>,
    /// Where it is in the new document (absent for removals).
    pub new_pointer: Option<String>,
}

impl Change {
    /// A change of `impact`: what (`kind`), for whom (`rust_item`) and in words (`message`);
    /// where it is in each document is set with [`in_old`](Self::in_old),
    /// [`in_new`](Self::in_new) or [`at`](Self::at).
    fn new(impact: Impact, kind: ChangeKind, rust_item: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            impact,
            kind,
            rust_item: rust_item.into(),
            message: message.into(),
            old_pointer: None,
            new_pointer: None,
        }
    }

    fn breaking(kind: ChangeKind, rust_item: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Impact::Breaking, kind, rust_item, message)
    }

    fn additive(kind: ChangeKind, rust_item: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Impact::Additive, kind, rust_item, message)
    }

    fn docs(kind: ChangeKind, rust_item: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Impact::Docs, kind, rust_item, message)
    }

    /// Where it is in the old document.
    fn in_old(mut self, pointer: &str) -> Self {
        self.old_pointer = Some(pointer.to_owned());
        self
    }

    /// Where it is in the new document.
    fn in_new(mut self, pointer: &str) -> Self {
        self.new_pointer = Some(pointer.to_owned());
        self
    }

    /// Where it is in each document, when known.
    fn at(mut self, old: Option<&str>, new: Option<&str>) -> Self {
        self.old_pointer = old.map(str::to_owned);
        self.new_pointer = new.map(str::to_owned);
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub old_label: String,
    pub new_label: String,
    pub bump: Bump,
    pub changes: Vec<Change>,
}

/// Which way data flows through a type, which decides whether a change breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Flow {
    /// The client sends it.
    Request,
    /// The client receives it.
    Response,
}

struct Differ<'a> {
    old: &'a Api,
    new: &'a Api,
    old_types: BTreeMap<&'a str, &'a TypeDef>,
    new_types: BTreeMap<&'a str, &'a TypeDef>,
    changes: Vec<Change>,
    /// Type pairs already compared in a direction (types are graphs).
    seen: BTreeSet<(String, String, Flow)>,
}

/// Compares two lowered versions of one API.
pub fn diff(old: &Api, new: &Api, old_label: &str, new_label: &str) -> Report {
    let mut differ = Differ {
        old,
        new,
        old_types: old.types.iter().map(|t| (t.name.as_str(), t)).collect(),
        new_types: new.types.iter().map(|t| (t.name.as_str(), t)).collect(),
        changes: Vec::new(),
        seen: BTreeSet::new(),
    };
    differ.servers();
    differ.security();
    differ.operations();
    differ.unselected();
    differ.unreached_types();
    let mut changes = merge_directions(differ.changes);
    changes.sort_by(|a, b| (a.impact, &a.rust_item, a.kind).cmp(&(b.impact, &b.rust_item, b.kind)));
    changes.dedup();
    let bump = if changes.iter().any(|c| c.impact == Impact::Breaking) {
        Bump::Major
    } else if changes.iter().any(|c| c.impact == Impact::Additive) {
        Bump::Minor
    } else if changes.is_empty() {
        Bump::None
    } else {
        Bump::Patch
    };
    Report { old_label: old_label.to_owned(), new_label: new_label.to_owned(), bump, changes }
}

impl<'a> Differ<'a> {
    fn record(&mut self, change: Change) {
        self.changes.push(change);
    }

    fn client_item(&self, method: &str) -> String {
        format!("{}::Client::{method}", self.new.module)
    }

    fn servers(&mut self) {
        let module = self.new.module.clone();
        let old_first = self.old.servers.first();
        let new_first = self.new.servers.first();
        if old_first.map(base_url) != new_first.map(base_url) {
            let describe = |s: Option<&Server>| s.map_or("none".to_owned(), |s| format!("`{}`", s.url));
            self.record(
                Change::breaking(
                    ChangeKind::ServerChanged,
                    format!("{module}::ClientBuilder"),
                    format!("default server changed from {} to {}", describe(old_first), describe(new_first)),
                )
                .at(old_first.map(|s| s.pointer.as_str()), new_first.map(|s| s.pointer.as_str())),
            );
        }
        let (Some(old), Some(new)) = (old_first, new_first) else { return };
        for variable in &new.variables {
            let at = format!("{}/variables/{}", new.pointer, variable.wire_name);
            let item = format!("{module}::{}", variable.type_name);
            match old.variables.iter().find(|v| v.wire_name == variable.wire_name) {
                None => self.record(
                    Change::additive(
                        ChangeKind::ServerVariableAdded,
                        format!("{module}::ClientBuilder::{}", variable.rust_name),
                        format!("server variable `{}` added (default `{}`)", variable.wire_name, variable.default),
                    )
                    .in_new(&at),
                ),
                Some(before) => {
                    let old_values: BTreeSet<&str> = before.values.iter().map(|v| v.wire_value.as_str()).collect();
                    let new_values: BTreeSet<&str> = variable.values.iter().map(|v| v.wire_value.as_str()).collect();
                    for added in new_values.difference(&old_values) {
                        self.record(
                            Change::additive(
                                ChangeKind::ServerValueAdded,
                                item.clone(),
                                format!("`{}` may now be `{added}`", variable.wire_name),
                            )
                            .in_new(&format!("{at}/enum")),
                        );
                    }
                    for removed in old_values.difference(&new_values) {
                        self.record(
                            Change::breaking(
                                ChangeKind::ServerValueRemoved,
                                item.clone(),
                                format!("`{}` may no longer be `{removed}` (its variant is gone)", variable.wire_name),
                            )
                            .in_old(&format!("{at}/enum")),
                        );
                    }
                    if before.default != variable.default {
                        self.record(
                            Change::breaking(
                                ChangeKind::ServerDefaultChanged,
                                item.clone(),
                                format!(
                                    "default of `{}` changed from `{}` to `{}`",
                                    variable.wire_name, before.default, variable.default
                                ),
                            )
                            .in_old(&at)
                            .in_new(&at),
                        );
                    }
                }
            }
        }
        for variable in old.variables.iter().filter(|v| !new.variables.iter().any(|n| n.wire_name == v.wire_name)) {
            self.record(
                Change::breaking(
                    ChangeKind::ServerVariableRemoved,
                    format!("{module}::ClientBuilder::{}", variable.rust_name),
                    format!("server variable `{}` removed", variable.wire_name),
                )
                .in_old(&format!("{}/variables/{}", old.pointer, variable.wire_name)),
            );
        }
    }

    fn security(&mut self) {
        let module = self.new.module.clone();
        for scheme in &self.new.security_schemes {
            let at = scheme.pointer.clone();
            match self.old.security_schemes.iter().find(|s| same_scheme(s, scheme)) {
                None => self.record(
                    Change::additive(
                        ChangeKind::SecuritySchemeAdded,
                        format!("{module}::ClientBuilder"),
                        format!("security scheme `{}` added", scheme.wire_name),
                    )
                    .in_new(&at),
                ),
                Some(before) if before.kind != scheme.kind => self.record(
                    Change::breaking(
                        ChangeKind::SecuritySchemeChanged,
                        format!("{module}::ClientBuilder"),
                        format!("security scheme `{}` now sends its credential differently", scheme.wire_name),
                    )
                    .in_old(&at)
                    .in_new(&at),
                ),
                Some(_) => {}
            }
        }
        for scheme in &self.old.security_schemes {
            if !self.new.security_schemes.iter().any(|s| same_scheme(scheme, s)) {
                self.record(
                    Change::breaking(
                        ChangeKind::SecuritySchemeRemoved,
                        format!("{module}::ClientBuilder"),
                        format!("security scheme `{}` removed", scheme.wire_name),
                    )
                    .in_old(&scheme.pointer),
                );
            }
        }
    }

    fn operations(&mut self) {
        let mut matched_new = BTreeSet::new();
        for old_op in &self.old.operations {
            let by_id = self.new.operations.iter().position(|n| n.wire_id == old_op.wire_id);
            let by_route = || {
                self.new.operations.iter().position(|n| {
                    n.method == old_op.method && n.path_template == old_op.path_template && n.wire_id != old_op.wire_id
                })
            };
            match by_id.or_else(by_route) {
                Some(index) => {
                    matched_new.insert(index);
                    let new_op = &self.new.operations[index];
                    self.operation(old_op, new_op);
                }
                None => self.record(
                    Change::breaking(
                        ChangeKind::OperationRemoved,
                        self.client_item(&old_op.rust_name),
                        format!(
                            "operation `{}` (`{} {}`) removed{}",
                            old_op.wire_id,
                            old_op.method.as_str(),
                            old_op.path_template,
                            if self.new.unselected.iter().any(|left| left.wire_id == old_op.wire_id) {
                                ": still in the document, but the selection now leaves it out"
                            } else {
                                ""
                            }
                        ),
                    )
                    .in_old(&old_op.pointer),
                ),
            }
        }
        for (index, op) in self.new.operations.iter().enumerate() {
            if !matched_new.contains(&index) {
                self.record(
                    Change::additive(
                        ChangeKind::OperationAdded,
                        self.client_item(&op.rust_name),
                        format!("operation `{}` (`{} {}`) added", op.wire_id, op.method.as_str(), op.path_template),
                    )
                    .in_new(&op.pointer),
                );
            }
        }
    }

    /// Operations new in the document that the selection leaves out: nothing changes in the
    /// crate, but whoever keeps the selection should know they are there.
    fn unselected(&mut self) {
        let known: BTreeSet<&str> = self
            .old
            .operations
            .iter()
            .map(|op| op.wire_id.as_str())
            .chain(self.old.unselected.iter().map(|left| left.wire_id.as_str()))
            .collect();
        let module = &self.new.module;
        for left in self.new.unselected.iter().filter(|left| !known.contains(left.wire_id.as_str())) {
            self.changes.push(
                Change::docs(
                    ChangeKind::OperationNotSelected,
                    format!("{module}::Client"),
                    format!(
                        "operation `{}` (`{}`) is new in the document; the selection leaves it out (name it in \
                     `select` to generate it)",
                        left.wire_id, left.route
                    ),
                )
                .in_new(&left.pointer),
            );
        }
    }

    fn operation(&mut self, old: &Operation, new: &Operation) {
        let item = self.client_item(&new.rust_name);
        let at = (Some(old.pointer.as_str()), Some(new.pointer.as_str()));
        if old.wire_id != new.wire_id {
            self.record(
                Change::breaking(
                    ChangeKind::OperationRenamed,
                    item.clone(),
                    format!(
                        "operationId `{}` renamed to `{}`: the method is now `{}` (was `{}`)",
                        old.wire_id, new.wire_id, new.rust_name, old.rust_name
                    ),
                )
                .at(at.0, at.1),
            );
        }
        if old.method != new.method || old.path_template != new.path_template {
            self.record(
                Change::breaking(
                    ChangeKind::OperationMoved,
                    item.clone(),
                    format!(
                        "`{}` moved from `{} {}` to `{} {}`",
                        new.wire_id,
                        old.method.as_str(),
                        old.path_template,
                        new.method.as_str(),
                        new.path_template
                    ),
                )
                .at(at.0, at.1),
            );
        }
        if !old.deprecated && new.deprecated {
            self.record(Change::docs(ChangeKind::OperationDeprecated, item.clone(), "now deprecated").at(at.0, at.1));
        }
        if old.summary != new.summary || old.description != new.description {
            self.record(
                Change::docs(ChangeKind::OperationDocs, item.clone(), "summary or description changed").at(at.0, at.1),
            );
        }
        self.parameters(old, new, &item);
        self.request_body(old, new, &item);
        self.responses(old, new, &item);
        let (old_security, new_security) =
            (scheme_names(self.old, &old.security), scheme_names(self.new, &new.security));
        if old_security != new_security {
            let added: Vec<_> = new_security.iter().filter(|s| !old_security.contains(s)).collect();
            let impact = if added.is_empty() { Impact::Additive } else { Impact::Breaking };
            self.record(
                Change::new(
                    impact,
                    ChangeKind::OperationSecurityChanged,
                    item.clone(),
                    format!("accepted security schemes changed from {:?} to {:?}", old.security, new.security),
                )
                .at(at.0, at.1),
            );
        }
        if old.pagination.is_some() != new.pagination.is_some() {
            let (impact, message) = if new.pagination.is_some() {
                (Impact::Additive, "now paginated: `into_stream()` and `into_pages()` added")
            } else {
                (Impact::Breaking, "no longer paginated: `into_stream()` and `into_pages()` removed")
            };
            self.record(Change::new(impact, ChangeKind::PaginationChanged, item.clone(), message).at(at.0, at.1));
        }
    }

    fn parameters(&mut self, old: &Operation, new: &Operation, item: &str) {
        for param in &new.params {
            let setter = format!("{item}.{}()", param.rust_name);
            match old.params.iter().find(|p| p.wire_name == param.wire_name && p.location == param.location) {
                None if param.required => self.record(
                    Change::breaking(
                        ChangeKind::ParameterAdded,
                        item.to_owned(),
                        format!(
                            "required {} parameter `{}` added: a new argument",
                            param.location.as_str(),
                            param.wire_name
                        ),
                    )
                    .in_new(&param.pointer),
                ),
                None => self.record(
                    Change::additive(
                        ChangeKind::ParameterAdded,
                        setter,
                        format!("optional {} parameter `{}` added", param.location.as_str(), param.wire_name),
                    )
                    .in_new(&param.pointer),
                ),
                Some(before) => {
                    let at = (Some(before.pointer.as_str()), Some(param.pointer.as_str()));
                    if before.required != param.required {
                        let message = if param.required {
                            format!("`{}` is now required: a setter became an argument", param.wire_name)
                        } else {
                            format!("`{}` is now optional: an argument became a setter", param.wire_name)
                        };
                        self.record(
                            Change::breaking(ChangeKind::ParameterRequiredChanged, item.to_owned(), message)
                                .at(at.0, at.1),
                        );
                    }
                    let target = if param.required { item.to_owned() } else { setter };
                    self.type_ref(&before.ty, &param.ty, Flow::Request, &target, at);
                    if before.style != param.style {
                        self.record(
                            Change::breaking(
                                ChangeKind::ParameterStyleChanged,
                                target,
                                format!("`{}` is now spelled differently on the wire", param.wire_name),
                            )
                            .at(at.0, at.1),
                        );
                    }
                }
            }
        }
        for param in &old.params {
            if !new.params.iter().any(|p| p.wire_name == param.wire_name && p.location == param.location) {
                self.record(
                    Change::breaking(
                        ChangeKind::ParameterRemoved,
                        if param.required { item.to_owned() } else { format!("{item}.{}()", param.rust_name) },
                        format!("{} parameter `{}` removed", param.location.as_str(), param.wire_name),
                    )
                    .in_old(&param.pointer),
                );
            }
        }
    }

    fn request_body(&mut self, old: &Operation, new: &Operation, item: &str) {
        let at = (Some(old.pointer.as_str()), Some(new.pointer.as_str()));
        match (&old.body, &new.body) {
            (None, None) => {}
            (None, Some(body)) => self.record(
                Change::new(
                    if body.required { Impact::Breaking } else { Impact::Additive },
                    ChangeKind::RequestBodyAdded,
                    item.to_owned(),
                    format!(
                        "request body `{}` added{}",
                        body.media_type,
                        if body.required { ", required" } else { "" }
                    ),
                )
                .at(None, at.1),
            ),
            (Some(_), None) => self.record(
                Change::breaking(ChangeKind::RequestBodyRemoved, item.to_owned(), "request body removed")
                    .at(at.0, None),
            ),
            (Some(before), Some(after)) => {
                if before.required != after.required {
                    self.record(
                        Change::breaking(
                            ChangeKind::RequestBodyRequiredChanged,
                            item.to_owned(),
                            format!("the request body is now {}", if after.required { "required" } else { "optional" }),
                        )
                        .at(at.0, at.1),
                    );
                }
                match (&before.kind, &after.kind) {
                    (BodyKind::Json(a), BodyKind::Json(b)) | (BodyKind::Form(a), BodyKind::Form(b)) => {
                        self.type_ref(a, b, Flow::Request, item, at)
                    }
                    (BodyKind::Multipart(a), BodyKind::Multipart(b)) => {
                        for part in b {
                            match a.iter().find(|p| p.wire_name == part.wire_name) {
                                None => self.record(
                                    Change::new(
                                        if part.required { Impact::Breaking } else { Impact::Additive },
                                        ChangeKind::FormFieldAdded,
                                        item.to_owned(),
                                        format!("form field `{}` added", part.wire_name),
                                    )
                                    .at(None, at.1),
                                ),
                                Some(p) if p.required != part.required || p.is_file != part.is_file => self.record(
                                    Change::breaking(
                                        ChangeKind::FormFieldChanged,
                                        item.to_owned(),
                                        format!("form field `{}` changed", part.wire_name),
                                    )
                                    .at(at.0, at.1),
                                ),
                                Some(_) => {}
                            }
                        }
                        for part in a.iter().filter(|p| !b.iter().any(|n| n.wire_name == p.wire_name)) {
                            self.record(
                                Change::breaking(
                                    ChangeKind::FormFieldRemoved,
                                    item.to_owned(),
                                    format!("form field `{}` removed", part.wire_name),
                                )
                                .at(at.0, None),
                            );
                        }
                    }
                    _ if before.media_type != after.media_type => self.record(
                        Change::breaking(
                            ChangeKind::RequestMediaTypeChanged,
                            item.to_owned(),
                            format!("request body changed from `{}` to `{}`", before.media_type, after.media_type),
                        )
                        .at(at.0, at.1),
                    ),
                    _ => {}
                }
            }
        }
    }

    fn responses(&mut self, old: &Operation, new: &Operation, item: &str) {
        let at = (Some(old.pointer.as_str()), Some(new.pointer.as_str()));
        let statuses = |responses: &[Response]| responses.iter().map(|r| r.status).collect::<Vec<_>>();
        if statuses(&old.success) != statuses(&new.success) {
            self.record(
                Change::breaking(
                    ChangeKind::SuccessStatusesChanged,
                    item.to_owned(),
                    format!(
                        "success statuses changed from {} to {}",
                        status_list(&old.success),
                        status_list(&new.success)
                    ),
                )
                .at(at.0, at.1),
            );
        }
        for response in &new.success {
            let Some(before) = old.success.iter().find(|r| r.status == response.status) else { continue };
            match (&before.body, &response.body) {
                (Some(ResponseBody::Json(a)), Some(ResponseBody::Json(b))) => {
                    self.type_ref(a, b, Flow::Response, &format!("{item} (response)"), at)
                }
                (a, b) if a != b => self.record(
                    Change::breaking(
                        ChangeKind::ResponseBodyChanged,
                        item.to_owned(),
                        format!("the {} response body changed kind", response.status.label()),
                    )
                    .at(at.0, at.1),
                ),
                _ => {}
            }
        }
        for response in &new.errors {
            match old.errors.iter().find(|r| r.status == response.status) {
                None => self.record(
                    Change::additive(
                        ChangeKind::ErrorStatusAdded,
                        item.to_owned(),
                        format!("error status {} documented", response.status.label()),
                    )
                    .at(None, at.1),
                ),
                Some(before) => {
                    if let (Some(ResponseBody::Json(a)), Some(ResponseBody::Json(b))) = (&before.body, &response.body) {
                        self.type_ref(a, b, Flow::Response, &format!("{item} (error {})", response.status.label()), at);
                    }
                }
            }
        }
        for response in old.errors.iter().filter(|r| !new.errors.iter().any(|n| n.status == r.status)) {
            self.record(
                Change::breaking(
                    ChangeKind::ErrorStatusRemoved,
                    item.to_owned(),
                    format!("error status {} no longer documented", response.status.label()),
                )
                .at(at.0, None),
            );
        }
    }

    /// Compares two uses of a type in the same place.
    fn type_ref(&mut self, old: &TypeRef, new: &TypeRef, flow: Flow, item: &str, at: (Option<&str>, Option<&str>)) {
        // `AssetKey = String` where `String` was: the same type to the compiler.
        let (old_plain, new_plain) =
            (plain_alias(&self.old_types, unwrap(old)), plain_alias(&self.new_types, unwrap(new)));
        match (old_plain, new_plain) {
            (TypeRef::Named(a), TypeRef::Named(b)) => {
                let (Some(&old_def), Some(&new_def)) = (self.old_types.get(a.as_str()), self.new_types.get(b.as_str()))
                else {
                    return;
                };
                if a != b && is_component(&old_def.origin) && is_component(&new_def.origin) {
                    let renamed = !self.new_types.contains_key(a.as_str()) && !self.old_types.contains_key(b.as_str());
                    if !renamed {
                        // Another existing type is used here now: not a rename, a change of type.
                        self.record(
                            Change::breaking(
                                ChangeKind::TypeChanged,
                                item.to_owned(),
                                format!("type changed from `{a}` to `{b}`"),
                            )
                            .at(at.0, at.1),
                        );
                        return;
                    }
                    self.record(
                        Change::breaking(
                            ChangeKind::TypeRenamed,
                            format!("{}::types::{b}", self.new.module),
                            format!("type `{a}` is now `{b}`"),
                        )
                        .in_old(&old_def.origin)
                        .in_new(&new_def.origin),
                    );
                }
                self.type_def(old_def, new_def, flow);
            }
            (TypeRef::Array(a), TypeRef::Array(b)) | (TypeRef::Map(a), TypeRef::Map(b)) => {
                self.type_ref(a, b, flow, item, at)
            }
            (a, b) if a != b => self.record(
                Change::breaking(
                    ChangeKind::TypeChanged,
                    item.to_owned(),
                    format!("type changed from `{}` to `{}`", rust_type(a), rust_type(b)),
                )
                .at(at.0, at.1),
            ),
            _ => {}
        }
        if is_nullable(old) != is_nullable(new) {
            self.record(
                Change::breaking(
                    ChangeKind::NullableChanged,
                    item.to_owned(),
                    format!("now {}", if is_nullable(new) { "nullable" } else { "never null" }),
                )
                .at(at.0, at.1),
            );
        }
    }

    fn type_def(&mut self, old: &TypeDef, new: &TypeDef, flow: Flow) {
        if !self.seen.insert((old.name.clone(), new.name.clone(), flow)) {
            return;
        }
        let module = self.new.module.clone();
        let item = format!("{module}::types::{}", new.name);
        let at = (Some(old.origin.as_str()), Some(new.origin.as_str()));
        match (&old.kind, &new.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => self.fields(a, b, flow, &item),
            (TypeKind::Enum(a), TypeKind::Enum(b)) => {
                let old_values: BTreeSet<&str> = a.iter().map(|v| v.wire_value.as_str()).collect();
                let new_values: BTreeSet<&str> = b.iter().map(|v| v.wire_value.as_str()).collect();
                for added in new_values.difference(&old_values) {
                    self.record(
                        Change::additive(
                            ChangeKind::EnumValueAdded,
                            item.clone(),
                            format!("value `{added}` added (the enum is open: older clients keep it as `Unknown`)"),
                        )
                        .at(None, at.1),
                    );
                }
                for removed in old_values.difference(&new_values) {
                    self.record(
                        Change::breaking(
                            ChangeKind::EnumValueRemoved,
                            item.clone(),
                            format!("value `{removed}` removed: its variant is gone"),
                        )
                        .at(at.0, None),
                    );
                }
            }
            (TypeKind::Union(a), TypeKind::Union(b)) => {
                let old_variants: Vec<&str> = a.variants.iter().map(|v| v.rust_name.as_str()).collect();
                let new_variants: Vec<&str> = b.variants.iter().map(|v| v.rust_name.as_str()).collect();
                let same_layout = a.tag_property == b.tag_property && a.content_property == b.content_property;
                if old_variants != new_variants || !same_layout {
                    let impact = if old_variants.iter().all(|v| new_variants.contains(v)) && same_layout {
                        // A new variant breaks exhaustive matches only on a closed union.
                        if a.tag_property.is_some() { Impact::Additive } else { Impact::Breaking }
                    } else {
                        Impact::Breaking
                    };
                    self.record(
                        Change::new(
                            impact,
                            ChangeKind::UnionVariantsChanged,
                            item.clone(),
                            format!("variants changed from {old_variants:?} to {new_variants:?}"),
                        )
                        .at(at.0, at.1),
                    );
                }
                for variant in &b.variants {
                    let Some(before) = a.variants.iter().find(|v| v.rust_name == variant.rust_name) else { continue };
                    let path = format!("{item}::{}", variant.rust_name);
                    match (&before.ty, &variant.ty) {
                        (Some(old_ty), Some(new_ty)) => self.type_ref(old_ty, new_ty, flow, &path, at),
                        (None, None) => {}
                        (_, _) => self.record(
                            Change::breaking(
                                ChangeKind::UnionVariantContentChanged,
                                path,
                                "the variant now carries content it did not (or no longer does)",
                            )
                            .at(at.0, at.1),
                        ),
                    }
                }
            }
            (TypeKind::Alias(a), TypeKind::Alias(b)) => self.type_ref(a, b, flow, &item, at),
            // An operation's errors by status: each status and body is compared with the
            // operation's responses.
            (TypeKind::ByStatus(_), TypeKind::ByStatus(_)) => {}
            _ => self.record(
                Change::breaking(
                    ChangeKind::TypeKindChanged,
                    item.clone(),
                    format!("`{}` changed from {} to {}", new.name, kind_name(&old.kind), kind_name(&new.kind)),
                )
                .at(at.0, at.1),
            ),
        }
        if old.description != new.description {
            self.record(Change::docs(ChangeKind::TypeDocs, item, "description changed").at(at.0, at.1));
        }
    }

    fn fields(&mut self, old: &Struct, new: &Struct, flow: Flow, item: &str) {
        let direction = match flow {
            Flow::Request => "sent",
            Flow::Response => "received",
        };
        for field in &new.fields {
            let field_item = format!("{item}::{}", field.rust_name);
            match old.fields.iter().find(|f| f.wire_name == field.wire_name) {
                None => {
                    // A new required field in a body the client sends must be filled in.
                    let impact =
                        if flow == Flow::Request && field.required { Impact::Breaking } else { Impact::Additive };
                    self.record(
                        Change::new(
                            impact,
                            ChangeKind::FieldAdded,
                            field_item,
                            format!(
                                "{} field `{}` added ({direction})",
                                if field.required { "required" } else { "optional" },
                                field.wire_name
                            ),
                        )
                        .in_new(&field.pointer),
                    );
                }
                Some(before) => self.field(before, field, flow, &field_item),
            }
        }
        for field in old.fields.iter().filter(|f| !new.fields.iter().any(|n| n.wire_name == f.wire_name)) {
            self.record(
                Change::breaking(
                    ChangeKind::FieldRemoved,
                    format!("{item}::{}", field.rust_name),
                    format!("field `{}` removed ({direction})", field.wire_name),
                )
                .in_old(&field.pointer),
            );
        }
        if old.additional.is_some() != new.additional.is_some() {
            self.record(Change::new(
                if new.additional.is_some() { Impact::Additive } else { Impact::Breaking },
                ChangeKind::AdditionalPropertiesChanged,
                format!("{item}::additional_properties"),
                format!(
                    "extra properties are {}",
                    if new.additional.is_some() { "now kept" } else { "no longer kept" }
                ),
            ));
        }
    }

    /// A field present in both versions.
    fn field(&mut self, before: &Field, field: &Field, flow: Flow, field_item: &str) {
        let direction = match flow {
            Flow::Request => "sent",
            Flow::Response => "received",
        };
        let at = (Some(before.pointer.as_str()), Some(field.pointer.as_str()));
        if before.required != field.required {
            // Both directions change the Rust type (`T` ↔ `Option<T>`); on the wire, a
            // received field that may now be absent is the dangerous one.
            let message = match (field.required, flow) {
                (true, Flow::Request) => "now required in what the client sends",
                (false, Flow::Response) => "may now be absent from what the client receives",
                (true, Flow::Response) => "now always present in what the client receives",
                (false, Flow::Request) => "now optional in what the client sends",
            };
            let message = format!("`{}` {message}", field.wire_name);
            self.record(
                Change::breaking(ChangeKind::FieldRequiredChanged, field_item.to_owned(), message).at(at.0, at.1),
            );
        }
        if before.nullable != field.nullable {
            let now = if field.nullable { "nullable" } else { "never null" };
            let message = format!("`{}` is now {now} ({direction})", field.wire_name);
            self.record(
                Change::breaking(ChangeKind::FieldNullableChanged, field_item.to_owned(), message).at(at.0, at.1),
            );
        }
        self.type_ref(&before.ty, &field.ty, flow, field_item, at);
        if before.description != field.description {
            let message = "description changed".to_owned();
            self.record(Change::docs(ChangeKind::FieldDocs, field_item.to_owned(), message).at(at.0, at.1));
        }
    }

    /// Component types no operation reaches (webhook payloads, shared models): compared by
    /// name, as received.
    fn unreached_types(&mut self) {
        let compared: BTreeSet<String> = self.seen.iter().map(|(_, new, _)| new.clone()).collect();
        let pairs: Vec<(&TypeDef, &TypeDef)> = self
            .new
            .types
            .iter()
            .filter(|t| is_component(&t.origin) && !compared.contains(&t.name))
            .filter_map(|t| self.old_types.get(t.name.as_str()).map(|old| (*old, t)))
            .collect();
        for (old, new) in pairs {
            self.type_def(old, new, Flow::Response);
        }
        for def in self.old.types.iter().filter(|t| is_component(&t.origin)) {
            if !self.new_types.contains_key(def.name.as_str()) && !self.was_renamed(&def.name) {
                self.record(
                    Change::breaking(
                        ChangeKind::TypeRemoved,
                        format!("{}::types::{}", self.old.module, def.name),
                        format!("type `{}` removed", def.name),
                    )
                    .in_old(&def.origin),
                );
            }
        }
        for def in self.new.types.iter().filter(|t| is_component(&t.origin)) {
            if !self.old_types.contains_key(def.name.as_str()) {
                self.record(
                    Change::additive(
                        ChangeKind::TypeAdded,
                        format!("{}::types::{}", self.new.module, def.name),
                        format!("type `{}` added", def.name),
                    )
                    .in_new(&def.origin),
                );
            }
        }
    }

    fn was_renamed(&self, old_name: &str) -> bool {
        self.changes
            .iter()
            .any(|c| c.kind == ChangeKind::TypeRenamed && c.message.starts_with(&format!("type `{old_name}` ")))
    }
}

/// Whether a type comes from a component schema of its own (not from inside one).
/// What `ty` stands for when it names an alias of a type that names no other (`AssetKey =
/// String`): a Rust type alias, interchangeable with its target.
fn plain_alias<'t>(types: &BTreeMap<&str, &'t TypeDef>, ty: &'t TypeRef) -> &'t TypeRef {
    match ty {
        TypeRef::Named(name) => match types.get(name.as_str()).map(|def| &def.kind) {
            Some(TypeKind::Alias(target)) if !matches!(unwrap(target), TypeRef::Named(_)) => unwrap(target),
            _ => ty,
        },
        _ => ty,
    }
}

/// Whether two schemes are one for the crate's users: the same name in the document, or a
/// scheme the document renamed whose setter keeps its name.
fn same_scheme(old: &SecurityScheme, new: &SecurityScheme) -> bool {
    old.wire_name == new.wire_name || old.rust_name == new.rust_name
}

/// The setter names of the schemes an operation accepts (by their names in the document).
fn scheme_names(api: &Api, wire_names: &[String]) -> Vec<String> {
    wire_names
        .iter()
        .map(|wire| {
            let scheme = api.security_schemes.iter().find(|s| &s.wire_name == wire);
            scheme.map_or_else(|| wire.clone(), |s| s.rust_name.clone())
        })
        .collect()
}

/// A server URL as the client uses it: a trailing `/` is dropped when the client is built.
fn base_url(server: &Server) -> &str {
    server.url.trim_end_matches('/')
}

fn is_component(origin: &str) -> bool {
    origin.strip_prefix("/components/schemas/").is_some_and(|name| !name.contains('/'))
}

/// One entry for a field seen both in what the client sends and in what it receives.
fn merge_directions(changes: Vec<Change>) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::with_capacity(changes.len());
    for change in changes {
        let base = |c: &Change| {
            c.message
                .trim_end_matches(" (sent)")
                .trim_end_matches(" (received)")
                .trim_end_matches(" (sent and received)")
                .to_owned()
        };
        let twin = out.iter_mut().find(|seen| {
            seen.kind == change.kind
                && seen.rust_item == change.rust_item
                && seen.old_pointer == change.old_pointer
                && seen.new_pointer == change.new_pointer
                && base(seen) == base(&change)
                && seen.message != change.message
        });
        match twin {
            Some(seen) => {
                seen.message = format!("{} (sent and received)", base(seen));
                seen.impact = seen.impact.min(change.impact);
            }
            None => out.push(change),
        }
    }
    out
}

fn unwrap(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => unwrap(inner),
        other => other,
    }
}

fn is_nullable(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Nullable(_) => true,
        TypeRef::Boxed(inner) => is_nullable(inner),
        _ => false,
    }
}

fn status_list(responses: &[Response]) -> String {
    let list: Vec<String> = responses.iter().map(|r| r.status.label()).collect();
    if list.is_empty() { "none".into() } else { list.join(", ") }
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "a struct",
        TypeKind::Enum(_) => "an enum",
        TypeKind::Union(_) => "a union",
        TypeKind::Alias(_) => "an alias",
        TypeKind::ByStatus(_) => "errors by status",
    }
}

/// The Rust spelling of a type, for messages.
pub fn rust_type(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Bool => "bool".into(),
        TypeRef::Int(IntKind::I32) => "i32".into(),
        TypeRef::Int(IntKind::I64) => "i64".into(),
        TypeRef::Int(IntKind::U32) => "u32".into(),
        TypeRef::Int(IntKind::U64) => "u64".into(),
        TypeRef::IntText(kind) => format!("{} (as text)", rust_type(&TypeRef::Int(*kind))),
        TypeRef::Float(FloatKind::F32) => "f32".into(),
        TypeRef::Float(FloatKind::F64) => "f64".into(),
        TypeRef::String => "String".into(),
        TypeRef::DateTime => "DateTime<Utc>".into(),
        TypeRef::Date => "NaiveDate".into(),
        TypeRef::Binary => "bytes".into(),
        TypeRef::Uuid => "Uuid".into(),
        TypeRef::Base64 => "Base64".into(),
        TypeRef::Json => "serde_json::Value".into(),
        TypeRef::Named(name) => name.clone(),
        TypeRef::Array(item) => format!("Vec<{}>", rust_type(item)),
        TypeRef::Map(value) => format!("BTreeMap<String, {}>", rust_type(value)),
        TypeRef::Nullable(inner) => format!("Option<{}>", rust_type(inner)),
        TypeRef::Boxed(inner) => rust_type(inner),
    }
}

impl Report {
    /// The report as Markdown, for a changelog or a pull request.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let count = |impact| self.changes.iter().filter(|c| c.impact == impact).count();
        let _ = writeln!(out, "## API changes: `{}` → `{}`\n", self.old_label, self.new_label);
        let bump = match self.bump {
            Bump::Major => "breaking (major)",
            Bump::Minor => "additive (minor)",
            Bump::Patch => "documentation only (patch)",
            Bump::None => "no change",
        };
        let _ = writeln!(
            out,
            "Semver class: **{bump}**. {} breaking, {} additive, {} documentation.\n",
            count(Impact::Breaking),
            count(Impact::Additive),
            count(Impact::Docs)
        );
        for (impact, title) in
            [(Impact::Breaking, "Breaking"), (Impact::Additive, "Additive"), (Impact::Docs, "Documentation")]
        {
            let entries: Vec<&Change> = self.changes.iter().filter(|c| c.impact == impact).collect();
            if entries.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### {title}\n");
            for change in entries {
                let mut places = Vec::new();
                if let Some(old) = &change.old_pointer {
                    places.push(format!("old `{old}`"));
                }
                if let Some(new) = &change.new_pointer {
                    places.push(format!("new `{new}`"));
                }
                let places = if places.is_empty() { String::new() } else { format!(" ({})", places.join(", ")) };
                let _ = writeln!(out, "- `{}`: {}{places}", change.rust_item, change.message);
            }
            out.push('\n');
        }
        out
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::ChangeKind;

    #[test]
    fn change_kinds_serialise_as_their_names() {
        for kind in [ChangeKind::ParameterAdded, ChangeKind::UnionVariantContentChanged, ChangeKind::TypeDocs] {
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::Value::from(kind.as_str()));
        }
    }
}
