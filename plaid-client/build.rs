// Exposes the spec version the generated code was made from as PLAID_SPEC_VERSION, read from
// the generated module's header so that it can never disagree with the generated code.
fn main() {
    let path = "src/generated/mod.rs";
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let version = text
        .lines()
        .find_map(|l| l.split("Plaid OpenAPI spec ").nth(1))
        .map(|v| v.trim_end_matches('.').to_string())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=PLAID_SPEC_VERSION={version}");
}
