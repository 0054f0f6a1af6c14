use super::*;
use proptest::prelude::*;

const COUNTY: &str = "623023";

fn posting(id: i64, kind: EntryKind, project: Option<i64>, amount: i64) -> Posting {
    Posting {
        id,
        kind,
        unit_id: 1,
        county_code: COUNTY.into(),
        source: FundSource::Direct,
        project_id: project,
        to_project_id: None,
        amount_fen: amount,
        reverses: None,
    }
}

fn reversal_of(id: i64, of: &Posting) -> Posting {
    Posting {
        id,
        kind: EntryKind::Reversal,
        reverses: Some(of.id),
        ..of.clone()
    }
}

fn code(r: Result<(), Refusal>) -> String {
    r.err().map(|m| m.code).unwrap_or_else(|| "ok".into())
}

#[test]
fn money_flows_from_the_pool_to_a_project_and_out() {
    let mut book = vec![posting(1, EntryKind::Receipt, None, 10_000)];
    let c = posting(2, EntryKind::Commitment, Some(7), 6_000);
    assert_eq!(code(check(&book, &c)), "ok");
    book.push(c);
    assert_eq!(
        code(check(
            &book,
            &posting(3, EntryKind::Disbursement, Some(7), 6_001)
        )),
        "overdraw"
    );
    book.push(posting(3, EntryKind::Disbursement, Some(7), 6_000));
    book.push(posting(4, EntryKind::Expenditure, Some(7), 2_500));
    let b = balances(&book);
    assert_eq!(b.len(), 2);
    assert_eq!(
        (b[0].project_id, b[0].received_fen, b[0].available_fen),
        (None, 10_000, 4_000)
    );
    let p = &b[1];
    assert_eq!(
        (
            p.received_fen,
            p.committed_fen,
            p.disbursed_fen,
            p.spent_fen,
            p.available_fen
        ),
        (0, 6_000, 6_000, 2_500, 3_500)
    );
    assert_eq!(
        code(check(
            &book,
            &posting(5, EntryKind::Commitment, Some(8), 4_001)
        )),
        "overdraw"
    );
    assert_eq!(
        code(check(
            &book,
            &posting(5, EntryKind::Commitment, Some(8), 4_000)
        )),
        "ok"
    );
}

#[test]
fn earmarked_money_is_not_spent_on_another_project() {
    let book = vec![posting(1, EntryKind::Receipt, Some(7), 5_000)];
    assert_eq!(
        code(check(
            &book,
            &posting(2, EntryKind::Commitment, Some(8), 100)
        )),
        "other_earmark"
    );
    assert_eq!(
        code(check(
            &book,
            &posting(2, EntryKind::Commitment, Some(7), 5_000)
        )),
        "ok"
    );
    let mut book = book;
    book.push(posting(2, EntryKind::Commitment, Some(7), 5_000));
    book.push(posting(3, EntryKind::Disbursement, Some(7), 5_000));
    assert_eq!(
        code(check(
            &book,
            &posting(4, EntryKind::Expenditure, Some(8), 10)
        )),
        "other_earmark"
    );
    // Another source's money is not this source's.
    let mut other = posting(4, EntryKind::Expenditure, Some(7), 10);
    other.source = FundSource::Other;
    assert_eq!(code(check(&book, &other)), "overdraw");
}

#[test]
fn the_office_reallocates_only_an_uncommitted_earmark() {
    let mut book = vec![
        posting(1, EntryKind::Receipt, Some(7), 5_000),
        posting(2, EntryKind::Commitment, Some(7), 3_000),
    ];
    let mut r = posting(3, EntryKind::Reallocation, Some(7), 2_001);
    r.to_project_id = Some(8);
    assert_eq!(code(check(&book, &r)), "overdraw");
    r.amount_fen = 2_000;
    assert_eq!(code(check(&book, &r)), "ok");
    book.push(r.clone());
    assert_eq!(
        code(check(
            &book,
            &posting(4, EntryKind::Commitment, Some(8), 2_000)
        )),
        "ok"
    );
    let b = balances(&book);
    assert_eq!(b.iter().map(|b| b.received_fen).sum::<i64>(), 5_000);
    r.to_project_id = Some(7);
    assert_eq!(code(check(&book, &r)), "same_project");
}

#[test]
fn a_reversal_undoes_once_and_never_what_has_moved_on() {
    let receipt = posting(1, EntryKind::Receipt, None, 1_000);
    let commitment = posting(2, EntryKind::Commitment, Some(7), 400);
    let book = vec![receipt.clone(), commitment.clone()];
    assert_eq!(
        code(check(&book, &reversal_of(3, &receipt))),
        "reversal_negative"
    );
    assert_eq!(code(check(&book, &reversal_of(3, &commitment))), "ok");
    let mut book = book;
    let undo = reversal_of(3, &commitment);
    book.push(undo.clone());
    assert_eq!(
        code(check(&book, &reversal_of(4, &commitment))),
        "already_reversed"
    );
    assert_eq!(
        code(check(&book, &reversal_of(4, &undo))),
        "reversal_of_reversal"
    );
    assert_eq!(code(check(&book, &reversal_of(4, &receipt))), "ok");
    let mut wrong = reversal_of(4, &receipt);
    wrong.amount_fen = 999;
    assert_eq!(code(check(&book, &wrong)), "reversal_mismatch");
    let mut missing = reversal_of(4, &receipt);
    missing.reverses = Some(99);
    assert_eq!(code(check(&book, &missing)), "no_such_entry");
    let b = balances(&book);
    assert_eq!(b[0].available_fen, 1_000);
    assert_eq!(b[1].committed_fen, 0);
}

#[test]
fn another_pairings_entries_do_not_count() {
    let mut theirs = posting(1, EntryKind::Receipt, None, 1_000);
    theirs.unit_id = 2;
    assert_eq!(
        code(check(
            &[theirs.clone()],
            &posting(2, EntryKind::Commitment, Some(7), 1)
        )),
        "overdraw"
    );
    assert_eq!(
        code(check(&[theirs.clone()], &reversal_of(2, &theirs).clone())),
        "ok"
    );
    let mut mine = reversal_of(2, &theirs);
    mine.unit_id = 1;
    assert_eq!(code(check(&[theirs], &mine)), "no_such_entry");
}

fn input(kind: &str, amount: Option<AmountValue>, yuan: &str, date: &str) -> LedgerEntryInput {
    LedgerEntryInput {
        kind: kind.into(),
        unit_id: Some(1),
        county_code: COUNTY.into(),
        source: "direct".into(),
        project_id: Some(7),
        amount_fen: amount,
        amount_yuan: yuan.into(),
        date: date.into(),
        ..Default::default()
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

fn codes(i: &LedgerEntryInput) -> Vec<String> {
    match i.parse(today()) {
        Ok(_) => vec![],
        Err(e) => e.into_iter().map(|e| e.msg.code).collect(),
    }
}

#[test]
fn amounts_are_positive_whole_fen() {
    let ok = input(
        "commitment",
        Some(AmountValue::Whole(1_050)),
        "",
        "2026-06-30",
    );
    assert_eq!(ok.parse(today()).unwrap().posting.amount_fen, 1_050);
    for bad in [
        AmountValue::Whole(0),
        AmountValue::Whole(-5),
        AmountValue::Fraction(10.5),
        AmountValue::Text("10".into()),
    ] {
        let i = input("commitment", Some(bad.clone()), "", "2026-06-30");
        assert_eq!(codes(&i), vec!["bad_amount"], "{bad:?}");
    }
    assert_eq!(
        input("receipt", None, "10.50", "2026-06-30")
            .parse(today())
            .unwrap()
            .posting
            .amount_fen,
        1_050
    );
    for yuan in ["10.005", "-1", "0", "0.00", "abc"] {
        assert_eq!(
            codes(&input("receipt", None, yuan, "2026-06-30")),
            vec!["bad_amount"],
            "{yuan}"
        );
    }
    assert_eq!(
        codes(&input("receipt", None, "", "2026-06-30")),
        vec!["required"]
    );
    let json: LedgerEntryInput = serde_json::from_str(r#"{"amount_fen": 10.5}"#).unwrap();
    assert_eq!(json.amount_fen, Some(AmountValue::Fraction(10.5)));
}

#[test]
fn dates_texts_and_kinds_are_checked() {
    assert_eq!(
        codes(&input(
            "receipt",
            Some(AmountValue::Whole(1)),
            "",
            "2026-07-01"
        )),
        vec!["future_date"]
    );
    assert_eq!(
        codes(&input(
            "receipt",
            Some(AmountValue::Whole(1)),
            "",
            "2026/01/01"
        )),
        vec!["bad_date"]
    );
    assert_eq!(
        codes(&input(
            "gift",
            Some(AmountValue::Whole(1)),
            "",
            "2026-01-01"
        )),
        vec!["bad_kind"]
    );
    let mut i = input("receipt", Some(AmountValue::Whole(1)), "", "2026-01-01");
    i.source = "introduced".into();
    i.document_no = "x".repeat(DOCUMENT_NO_MAX + 1);
    assert_eq!(codes(&i), vec!["too_long", "donor_required"]);
    let mut r = input(
        "reallocation",
        Some(AmountValue::Whole(1)),
        "",
        "2026-01-01",
    );
    assert_eq!(codes(&r), vec!["required"]);
    r.to_project_id = Some(7);
    assert_eq!(codes(&r), vec!["same_project"]);
    let mut c = input("expenditure", Some(AmountValue::Whole(1)), "", "2026-01-01");
    c.project_id = None;
    assert_eq!(codes(&c), vec!["required"]);
    let rev = LedgerEntryInput {
        kind: "reversal".into(),
        reverses: Some(3),
        date: "2026-01-01".into(),
        ..Default::default()
    };
    assert_eq!(codes(&rev), vec!["reason_required"]);
}

/// One attempted posting: a kind, a source, projects among three, an amount.
fn attempt() -> impl Strategy<Value = (u8, u8, Option<i64>, i64, i64, usize)> {
    (
        0u8..6,
        0u8..3,
        proptest::option::of(1i64..4),
        1i64..4,
        1i64..5_000,
        0usize..64,
    )
}

fn build(
    n: usize,
    (k, s, p, to, amount, target): (u8, u8, Option<i64>, i64, i64, usize),
    book: &[Posting],
) -> Posting {
    let kind = EntryKind::ALL[k as usize];
    let mut new = posting(n as i64 + 1, kind, p, amount);
    new.source = FundSource::ALL[s as usize];
    if kind == EntryKind::Reallocation {
        new.to_project_id = Some(to);
    }
    if kind == EntryKind::Reversal && !book.is_empty() {
        let t = &book[target % book.len()];
        new = reversal_of(n as i64 + 1, t);
    }
    new
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn accepted_postings_keep_every_balance_sound_and_summed(attempts in proptest::collection::vec(attempt(), 1..60)) {
        let mut book: Vec<Posting> = Vec::new();
        for a in attempts {
            let new = build(book.len(), a, &book);
            if check(&book, &new).is_ok() {
                book.push(new);
            }
        }
        let levels = sums(&book);
        prop_assert!(sound(&levels));
        let b = balances(&book);
        for x in &b {
            prop_assert!(x.received_fen >= 0 && x.committed_fen >= x.disbursed_fen);
            prop_assert!(x.disbursed_fen >= x.spent_fen && x.spent_fen >= 0 && x.available_fen >= 0);
        }
        // Each figure is the signed sum of its entries: reversals undo.
        let reversed = reversed_ids(&book);
        let live = |k: EntryKind| -> i64 {
            book.iter().filter(|p| p.kind == k && !reversed.contains(&p.id)).map(|p| p.amount_fen).sum()
        };
        prop_assert_eq!(b.iter().map(|x| x.received_fen).sum::<i64>(), live(EntryKind::Receipt));
        prop_assert_eq!(b.iter().map(|x| x.committed_fen).sum::<i64>(), live(EntryKind::Commitment));
        prop_assert_eq!(b.iter().map(|x| x.disbursed_fen).sum::<i64>(), live(EntryKind::Disbursement));
        prop_assert_eq!(b.iter().map(|x| x.spent_fen).sum::<i64>(), live(EntryKind::Expenditure));
        prop_assert_eq!(
            b.iter().map(|x| x.available_fen).sum::<i64>(),
            live(EntryKind::Receipt) - live(EntryKind::Expenditure)
        );
    }
}
