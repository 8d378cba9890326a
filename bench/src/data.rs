//! Deterministic InsightVM pages, and the minimal hand-written model they are compared with.

use serde::Deserialize;
use serde_json::{Value, json};

/// A realistic asset: inventory, findings, tags and identifiers, varied by index.
pub fn asset(index: usize) -> Value {
    const STATUSES: [&str; 3] = ["VULNERABLE_VERS", "VULNERABLE_EXPL", "NOT_VULNERABLE"];
    const KINDS: [&str; 4] = ["hypervisor", "guest", "physical", "mobile"];
    let finding = |n: usize| {
        let status = STATUSES[n % 3];
        json!({
            "vulnerability_id": format!("cve-2024-{:04}", (index * 7 + n) % 9999),
            "check_id": format!("check-{n}"), "status": status,
            "key": "", "port": 443, "protocol": "TCP", "nic": "eth0",
            "proof": "<p>Vulnerable version of OpenSSL detected: 3.0.1</p>",
            "first_found": "2025-02-03T04:05:06Z", "last_found": "2026-01-02T03:04:05Z",
            "endpoint": {"port": 443, "protocol": "TCP"},
            "solution_id": "ubuntu-upgrade-openssl", "solution_summary": "Upgrade openssl",
            "solution_fix": "apt-get install --only-upgrade openssl", "solution_type": "rollup"
        })
    };
    let kind = KINDS[index % 4];
    json!({
        "id": format!("f5f1e1a6-4d1b-4b1d-9a51-0a1b2c3d{index:04}-default-asset-{index}"),
        "type": kind,
        "host_name": format!("host-{index}.corp.example.com"), "ip": format!("10.{}.{}.{}", index / 65536, (index / 256) % 256, index % 256),
        "mac": "00:1A:2B:3C:4D:5E", "os_description": "Ubuntu Linux 22.04", "os_architecture": "x86_64",
        "os_family": "Linux", "os_name": "Linux", "os_system_name": "Ubuntu Linux", "os_type": "General",
        "os_vendor": "Ubuntu", "os_version": "22.04",
        "assessed_for_policies": false, "assessed_for_vulnerabilities": true,
        "last_assessed_for_vulnerabilities": "2026-01-02T03:04:05Z",
        "last_scan_start": "2026-01-02T03:00:00Z", "last_scan_end": "2026-01-02T03:04:05Z",
        "risk_score": 12345.678 + index as f64, "total_vulnerabilities": 12, "critical_vulnerabilities": index % 3,
        "severe_vulnerabilities": 5, "moderate_vulnerabilities": 4, "exploits": 1, "malware_kits": 0,
        "tags": [{"name": "prod", "type": "CRITICALITY"}, {"name": "payments", "type": "CUSTOM"}],
        "unique_identifiers": [{"id": format!("i-{index:08x}"), "source": "AWS"}, {"id": format!("vm-{index}"), "source": "VMware"}],
        "credential_assessments": [{"port": 22, "protocol": "TCP", "status": "ALL_CREDENTIALS_SUCCESSFUL"}],
        "new": [finding(0)], "same": [finding(1), finding(2), finding(3)], "remediated": []
    })
}

/// One page of the asset search, starting at `offset`.
pub fn asset_page_json(count: usize, offset: usize, cursor: Option<&str>) -> Vec<u8> {
    let data: Vec<Value> = (offset..offset + count).map(asset).collect();
    serde_json::to_vec(&json!({
        "data": data,
        "metadata": {"number": offset / 500, "size": 500, "totalResources": 100000, "totalPages": 200, "cursor": cursor},
        "links": [{"href": "https://us.api.insight.rapid7.com/vm/v4/integration/assets", "rel": "self"}]
    }))
    .expect("JSON values always serialise")
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct HandPage {
    pub data: Vec<HandAsset>,
    pub metadata: HandMetadata,
    pub links: Vec<HandLink>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct HandMetadata {
    number: Option<i64>,
    size: Option<i64>,
    #[serde(rename = "totalResources")]
    total_resources: Option<i64>,
    #[serde(rename = "totalPages")]
    total_pages: Option<i64>,
    cursor: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct HandLink {
    href: Option<String>,
    rel: Option<String>,
}

type Time = Option<chrono::DateTime<chrono::Utc>>;

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct HandAsset {
    id: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    host_name: Option<String>,
    ip: Option<String>,
    mac: Option<String>,
    os_description: Option<String>,
    os_architecture: Option<String>,
    os_family: Option<String>,
    os_name: Option<String>,
    os_system_name: Option<String>,
    os_type: Option<String>,
    os_vendor: Option<String>,
    os_version: Option<String>,
    assessed_for_policies: Option<bool>,
    assessed_for_vulnerabilities: Option<bool>,
    last_assessed_for_vulnerabilities: Time,
    last_scan_start: Time,
    last_scan_end: Time,
    risk_score: Option<f64>,
    total_vulnerabilities: Option<i32>,
    critical_vulnerabilities: Option<i32>,
    severe_vulnerabilities: Option<i32>,
    moderate_vulnerabilities: Option<i32>,
    exploits: Option<i32>,
    malware_kits: Option<i32>,
    tags: Option<Vec<HandTag>>,
    unique_identifiers: Option<HandIdentifiers>,
    credential_assessments: Option<Vec<HandCredential>>,
    new: Option<Vec<HandFinding>>,
    same: Option<Vec<HandFinding>>,
    remediated: Option<Vec<HandFinding>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandTag {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum HandIdentifiers {
    Many(Vec<HandIdentifier>),
    One(HandIdentifier),
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandIdentifier {
    id: Option<String>,
    source: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandCredential {
    port: Option<i64>,
    protocol: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandEndpoint {
    port: Option<i64>,
    protocol: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandFinding {
    vulnerability_id: Option<String>,
    check_id: Option<String>,
    status: Option<String>,
    key: Option<String>,
    port: Option<i32>,
    protocol: Option<String>,
    nic: Option<String>,
    proof: Option<String>,
    first_found: Time,
    last_found: Time,
    reintroduced: Time,
    remediation_date: Time,
    endpoint: Option<HandEndpoint>,
    solution_id: Option<String>,
    solution_summary: Option<String>,
    solution_fix: Option<String>,
    solution_type: Option<String>,
}
