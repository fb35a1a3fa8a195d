//! Building the contoso CSR with a given RSA-2048 key (key generation is benchmarked apart:
//! it dominates and varies widely).

use criterion::{criterion_group, criterion_main, Criterion};
use picert_core::{build_request, EdgeProfile, KeyType, PrivateKey, Topology};

fn benches(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let topology = Topology::load(&root.join("fixtures/contoso.toml")).unwrap();
    let profile = EdgeProfile::from_topology(topology).unwrap();
    let key = PrivateKey::from_bytes(
        &std::fs::read(root.join("fixtures/pki/keys/leaf.key")).unwrap(),
        None,
    )
    .unwrap();
    c.bench_function("build_csr_rsa2048_given_key", |b| {
        b.iter(|| build_request(&profile, &key).unwrap())
    });
    let mut slow = c.benchmark_group("keygen");
    slow.sample_size(20);
    slow.bench_function("rsa2048", |b| {
        b.iter(|| PrivateKey::generate(KeyType::Rsa2048).unwrap())
    });
    slow.bench_function("ecdsa_p256", |b| {
        b.iter(|| PrivateKey::generate(KeyType::EcdsaP256).unwrap())
    });
    slow.finish();
}

criterion_group!(request, benches);
criterion_main!(request);
