//! The three implementations give the same tier to every one of the 10,000 customers.

use tierwise_peers::{Peers, CUSTOMERS};

#[test]
fn all_three_agree_on_every_customer() {
    let peers = Peers::new(CUSTOMERS);
    let dist = peers.check_agreement();
    // the seeded customers fall into every tier
    assert!(dist.iter().all(|(_, n)| *n > 500), "{dist:?}");
}
