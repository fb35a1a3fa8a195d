//! The topology XML reader (Topology Builder, Get-CsTopology -AsXml), its Edge pools as
//! topologies, and the plan of every certificate.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    picert_tests::fuzzing::topology_xml(data);
});
