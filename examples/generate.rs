//! Deterministic generator of a public utility's customer base (B2B and B2C, French labels,
//! Ivorian regions) with the defects real exports have: placeholders, mixed date formats, case
//! variants, gaps that are worse in rural regions, duplicate keys, orphan payments.
//!
//! cargo run --release --example generate -- --rows 5000 --out fixtures/demo [--seed 7] [--parquet]

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Region, weight, rural share, and how much worse its data is (0 = like Abidjan).
const REGIONS: [(&str, u64, f64, f64); 8] = [
    ("Abidjan", 40, 0.02, 0.0),
    ("Bouaké", 12, 0.25, 0.10),
    ("Yamoussoukro", 8, 0.30, 0.10),
    ("San-Pédro", 8, 0.40, 0.15),
    ("Daloa", 9, 0.50, 0.20),
    ("Korhogo", 9, 0.60, 0.30),
    ("Man", 8, 0.65, 0.40),
    ("Gagnoa", 6, 0.55, 0.25),
];
const FIRST: [&str; 10] = [
    "Aya", "Kouassi", "Fatou", "Moussa", "Adjoua", "Koffi", "Awa", "Yao", "Mariam", "Ibrahim",
];
const LAST: [&str; 10] = [
    "Koné",
    "Kouamé",
    "Traoré",
    "Yao",
    "Ouattara",
    "Bamba",
    "Coulibaly",
    "N'Guessan",
    "Diabaté",
    "Touré",
];
const SECTORS: [&str; 6] = [
    "Commerce",
    "Industrie",
    "Santé",
    "Éducation",
    "Hôtellerie",
    "Administration",
];

const CLIENT_COLUMNS: [&str; 16] = [
    "client_id",
    "type_client",
    "nom",
    "region",
    "milieu",
    "canal",
    "date_naissance",
    "telephone",
    "email",
    "date_abonnement",
    "puissance_kva",
    "conso_mensuelle_kwh",
    "montant_moyen_facture",
    "paiement_mobile",
    "secteur_activite",
    "statut",
];
const PAYMENT_COLUMNS: [&str; 4] = ["client_id", "retard_moyen_jours", "nb_impayes_12m", "mode_paiement"];

fn region(rng: &mut Rng) -> (&'static str, f64, f64) {
    let total: u64 = REGIONS.iter().map(|r| r.1).sum();
    let mut roll = rng.below(total);
    for (name, weight, rural, defect) in REGIONS {
        if roll < weight {
            return (name, rural, defect);
        }
        roll -= weight;
    }
    ("Abidjan", 0.02, 0.0)
}

fn customer(rng: &mut Rng, i: u64) -> (Vec<String>, Vec<String>) {
    let id = format!("C{:07}", i + 1);
    let b2b = rng.chance(0.12);
    let (region_name, rural_share, defect) = region(rng);
    let rural = rng.chance(rural_share);
    let gap = defect + if rural { 0.15 } else { 0.0 };
    let mut type_client = if b2b { "B2B" } else { "B2C" }.to_string();
    if rng.chance(0.01) {
        type_client = type_client.to_lowercase();
    }
    let name = if b2b {
        format!("{} {} SARL", rng.pick(&LAST), rng.pick(&SECTORS))
    } else {
        format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST))
    };
    let mut region_text = region_name.to_string();
    if rng.chance(0.02) {
        region_text = region_text.to_uppercase();
    } else if rng.chance(0.02) {
        region_text.push(' ');
    }
    if rng.chance(0.01 + gap * 0.1) {
        region_text = String::new();
    }
    let milieu = if rng.chance(0.03) {
        "".to_string()
    } else if rural {
        "rural".into()
    } else {
        "urbain".into()
    };
    let canal = if rng.chance(0.05 + gap * 0.2) {
        String::new()
    } else if rural {
        rng.pick(&["agence", "agence", "USSD", "mobile money"]).to_string()
    } else {
        rng.pick(&["agence", "web", "mobile money", "USSD", "web"]).to_string()
    };
    let year = 1940 + rng.below(66) as i32;
    let (month, day) = (1 + rng.below(12), 1 + rng.below(28));
    let birth = if b2b || rng.chance(0.04 + gap * 0.5) {
        String::new()
    } else if rng.chance(0.03) {
        "00/00/0000".to_string()
    } else if rng.chance(0.25) {
        format!("{year}-{month:02}-{day:02}")
    } else {
        format!("{day:02}/{month:02}/{year}")
    };
    let phone = if rng.chance(0.08 + gap * 0.3) {
        String::new()
    } else {
        format!(
            "+225 07 {:02} {:02} {:02} {:02}",
            rng.below(100),
            rng.below(100),
            rng.below(100),
            rng.below(100)
        )
    };
    let email = if rng.chance(if rural { 0.85 } else { 0.45 }) {
        String::new()
    } else if rng.chance(0.02) {
        "inconnu".to_string()
    } else {
        format!("client{}@exemple.ci", i + 1)
    };
    let since = format!(
        "{:02}/{:02}/{}",
        1 + rng.below(28),
        1 + rng.below(12),
        2000 + rng.below(26)
    );
    let kva = if b2b {
        rng.pick(&["36", "50", "100", "250"])
    } else {
        rng.pick(&["3", "6", "9", "12"])
    };
    let base = if b2b {
        2500.0
    } else if rural {
        80.0
    } else {
        180.0
    };
    let conso = base * (0.3 + rng.unit() * 1.6);
    let conso_text = if rng.chance(0.03 + gap * 0.2) {
        String::new()
    } else if rng.chance(0.01) {
        "-1".to_string()
    } else {
        format!("{conso:.1}").replace('.', if rng.chance(0.05) { "," } else { "." })
    };
    let amount = conso * 95.0 * (0.9 + rng.unit() * 0.2);
    let amount_text = if rng.chance(0.04 + gap * 0.15) {
        String::new()
    } else {
        format!("{amount:.0}")
    };
    let mobile = if rng.chance(0.1 + gap * 0.2) {
        String::new()
    } else if rng.chance(if rural { 0.3 } else { 0.6 }) {
        "oui".into()
    } else {
        "non".into()
    };
    let sector = if b2b {
        rng.pick(&SECTORS).to_string()
    } else {
        String::new()
    };
    let status = if rng.chance(0.02) {
        "N/A".to_string()
    } else {
        rng.pick(&["actif", "actif", "actif", "suspendu", "résilié"])
            .to_string()
    };
    let client = vec![
        id.clone(),
        type_client,
        name,
        region_text,
        milieu,
        canal,
        birth,
        phone,
        email,
        since,
        kva.to_string(),
        conso_text,
        amount_text,
        mobile,
        sector,
        status,
    ];
    let late = (rng.unit() * rng.unit() * 60.0 - 3.0) * if rural { 1.4 } else { 1.0 };
    let late_text = if rng.chance(0.05 + gap * 0.9) {
        String::new()
    } else if rng.chance(0.01) {
        "9999".to_string()
    } else {
        format!("{late:.1}")
    };
    let unpaid = if late > 20.0 {
        rng.below(6)
    } else if late > 7.0 {
        rng.below(3)
    } else {
        rng.below(2) * rng.below(2)
    };
    let unpaid_text = if late_text.is_empty() && rng.chance(0.7) {
        String::new()
    } else {
        unpaid.to_string()
    };
    let payment = vec![
        id,
        late_text,
        unpaid_text,
        rng.pick(&["espèces", "mobile money", "prélèvement", "chèque"])
            .to_string(),
    ];
    (client, payment)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let rows: u64 = value("--rows").map_or(Ok(5000), |v| v.parse())?;
    let seed: u64 = value("--seed").map_or(Ok(7), |v| v.parse())?;
    let out = PathBuf::from(value("--out").unwrap_or_else(|| "fixtures/demo".into()));
    let parquet = args.iter().any(|a| a == "--parquet");
    // Extra synthetic indicator columns, for wide-table benchmarks (150 fields).
    let wide: usize = value("--wide").map_or(Ok(0), |v| v.parse())?;
    // One UTF-8 `;` file with clients and payments joined, the same rows as customers.parquet.
    let joined = args.iter().any(|a| a == "--joined");
    std::fs::create_dir_all(&out)?;
    let mut rng = Rng(seed);

    // Clients: the legacy billing export, `;`-separated, Windows-1252.
    let mut clients = std::io::BufWriter::new(std::fs::File::create(out.join("clients.csv"))?);
    let mut payments = std::io::BufWriter::new(std::fs::File::create(out.join("paiements.csv"))?);
    let write_cp1252 = |w: &mut dyn Write, line: &str| -> std::io::Result<()> {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(line);
        w.write_all(&bytes)
    };
    let extra_header: String = (1..=wide).map(|k| format!(";indicateur_{k:03}")).collect();
    write_cp1252(&mut clients, &format!("{}{extra_header}\r\n", CLIENT_COLUMNS.join(";")))?;
    writeln!(payments, "{}", PAYMENT_COLUMNS.join(","))?;
    let mut parquet_rows: Vec<Vec<String>> = Vec::new();
    let mut joined_file = if joined {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("customers.csv"))?);
        let names: Vec<&str> = CLIENT_COLUMNS
            .iter()
            .chain(PAYMENT_COLUMNS.iter().skip(1))
            .copied()
            .collect();
        writeln!(w, "{}", names.join(";"))?;
        Some(w)
    } else {
        None
    };
    for i in 0..rows {
        let (client, payment) = customer(&mut rng, i);
        let mut line = client.join(";");
        let rural = client[4] == "rural";
        for k in 1..=wide {
            line.push(';');
            // Gaps grow with k and are worse in rural areas; values are small categories or numbers.
            let gap = (k % 10) as f64 * 0.02 + if rural { 0.1 } else { 0.0 };
            if !rng.chance(gap) {
                if k % 2 == 0 {
                    line.push_str(&format!("{:.1}", rng.unit() * 100.0));
                } else {
                    line.push_str(&format!("cat{}", rng.below(2 + (k % 9) as u64)));
                }
            }
        }
        write_cp1252(&mut clients, &format!("{line}\r\n"))?;
        // A few customers are exported twice by the billing system.
        if rng.chance(0.002) {
            write_cp1252(&mut clients, &format!("{line}\r\n"))?;
        }
        // Payment history is missing for some customers altogether.
        if !rng.chance(0.06) {
            writeln!(payments, "{}", payment.join(","))?;
        }
        if let Some(w) = joined_file.as_mut() {
            writeln!(w, "{};{}", client.join(";"), payment[1..].join(";"))?;
        }
        if parquet {
            let mut row = client;
            row.extend(payment.into_iter().skip(1));
            parquet_rows.push(row);
            if parquet_rows.len() == 65_536 {
                write_parquet(&out, &mut parquet_rows)?;
            }
        }
    }
    if parquet {
        write_parquet(&out, &mut parquet_rows)?;
        PARQUET.with(|w| w.borrow_mut().take().map(|w| w.close()).transpose())?;
    }
    if let Some(mut w) = joined_file {
        w.flush()?;
    }
    clients.flush()?;
    payments.flush()?;
    Ok(())
}

thread_local! {
    static PARQUET: std::cell::RefCell<Option<ArrowWriter<std::fs::File>>> = const { std::cell::RefCell::new(None) };
}

/// Appends rows to `customers.parquet` (clients and payments joined, all text).
fn write_parquet(out: &std::path::Path, rows: &mut Vec<Vec<String>>) -> Result<(), Box<dyn std::error::Error>> {
    let names: Vec<&str> = CLIENT_COLUMNS
        .iter()
        .chain(PAYMENT_COLUMNS.iter().skip(1))
        .copied()
        .collect();
    let schema = Arc::new(Schema::new(
        names
            .iter()
            .map(|n| Field::new(*n, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let columns: Vec<ArrayRef> = (0..names.len())
        .map(|c| {
            let mut b = StringBuilder::new();
            for row in rows.iter() {
                let v = &row[c];
                if v.is_empty() {
                    b.append_null();
                } else {
                    b.append_value(v);
                }
            }
            Arc::new(b.finish()) as ArrayRef
        })
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    PARQUET.with(|cell| -> Result<(), Box<dyn std::error::Error>> {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            // Row groups of 128 Ki rows, as exporting tools write them: readers split work by row group.
            let properties = datafusion::parquet::file::properties::WriterProperties::builder()
                .set_max_row_group_row_count(Some(131_072))
                .build();
            *slot = Some(ArrowWriter::try_new(
                std::fs::File::create(out.join("customers.parquet"))?,
                schema,
                Some(properties),
            )?);
        }
        if let Some(writer) = slot.as_mut() {
            writer.write(&batch)?;
        }
        Ok(())
    })?;
    rows.clear();
    Ok(())
}
