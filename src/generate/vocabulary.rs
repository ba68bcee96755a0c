//! The words of generated articles, drawn as in real prose: a few function words make up
//! much of every sentence, each desk has its own topic words, and thousands of other words
//! follow Zipf's law (the r-th most frequent word appears about 1/r as often as the first).
//! So a search for a topic word finds a realistic share of the archive (a few per cent),
//! a rare word finds a handful, and only function words are everywhere, as in real news.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

/// The glue of Indonesian sentences, most frequent first.
const FUNCTION_WORDS: &[&str] = &[
    "yang", "dan", "di", "ini", "itu", "dengan", "untuk", "dari", "dalam", "pada", "tidak", "akan", "ke", "juga",
    "telah", "oleh", "sebagai", "bahwa", "ada", "atau", "karena", "saat", "lebih", "para", "mereka", "tersebut",
    "hingga", "namun", "masih", "sudah", "dapat", "harus", "kata", "ujar", "menurut",
];

/// The topic words of each top-level desk (in the order of [`DESKS`]), most frequent first.
const TOPICS: [&[&str]; 6] = [
    &[
        "pemerintah", "daerah", "warga", "gubernur", "bupati", "desa", "provinsi", "banjir", "polisi", "korupsi",
        "jaksa", "hakim", "pengadilan", "pemilu", "partai", "calon", "kampanye", "dewan", "rapat", "paripurna",
        "peraturan", "sekolah", "guru", "bantuan", "gempa", "relawan", "pengungsi", "kemarau", "hujan", "longsor",
        "bandang", "mudik", "tol", "kereta", "pelabuhan", "bandara", "sampah", "puskesmas", "sengketa", "tanah",
    ],
    &[
        "presiden", "menteri", "negara", "perang", "gencatan", "senjata", "diplomat", "kedutaan", "perbatasan",
        "sanksi", "perundingan", "konflik", "militer", "serangan", "pasukan", "perdamaian", "pemimpin", "parlemen",
        "kunjungan", "bilateral", "teheran", "kairo", "tokyo", "seoul", "bangkok", "manila", "riyadh", "ankara",
        "gaza", "palestina", "ukraina", "rusia", "amerika", "eropa", "afrika", "pengungsian", "embargo", "nuklir",
        "referendum", "kudeta",
    ],
    &[
        "harga", "pasar", "rupiah", "inflasi", "ekspor", "impor", "investasi", "bank", "saham", "bursa", "dolar",
        "anggaran", "pajak", "beras", "kopi", "minyak", "petani", "nelayan", "pangan", "stok", "gudang", "distribusi",
        "upah", "buruh", "usaha", "industri", "pabrik", "perusahaan", "kredit", "bunga", "subsidi", "bbm", "emas",
        "sawit", "tambang", "nikel", "koperasi", "cabai", "gula", "garam",
    ],
    &[
        "timnas", "pemain", "pelatih", "liga", "juara", "turnamen", "stadion", "penonton", "gol", "pertandingan",
        "sepak", "bola", "bulu", "tangkis", "medali", "atlet", "olimpiade", "klub", "kompetisi", "final", "semifinal",
        "skor", "kemenangan", "kekalahan", "laga", "wasit", "suporter", "transfer", "kontrak", "cedera", "latihan",
        "klasemen", "poin", "tandang", "kandang", "maraton", "renang", "voli", "basket", "pencak",
    ],
    &[
        "teknologi", "digital", "aplikasi", "internet", "data", "siber", "ponsel", "kecerdasan", "buatan", "perangkat",
        "jaringan", "satelit", "startup", "platform", "pengguna", "keamanan", "peretas", "server", "komputer", "chip",
        "baterai", "kendaraan", "listrik", "robot", "inovasi", "riset", "peneliti", "universitas", "algoritma",
        "konten", "video", "layanan", "daring", "transaksi", "dompet", "elektronik", "sinyal", "kripto", "awan",
        "privasi",
    ],
    &[
        "budaya", "festival", "seni", "musik", "film", "wisata", "wisatawan", "kuliner", "tradisional", "batik",
        "tari", "museum", "sejarah", "candi", "pameran", "konser", "sutradara", "penyanyi", "aktor", "novel", "buku",
        "penulis", "sastra", "teater", "adat", "upacara", "kerajinan", "warisan", "lagu", "album", "bioskop", "galeri",
        "lukisan", "pertunjukan", "tradisi", "masakan", "rendang", "pantai", "gamelan", "wayang",
    ],
];

/// The top-level desks, in the order of [`TOPICS`].
pub const DESKS: [&str; 6] = ["Dalam Negeri", "Luar Negeri", "Ekonomi", "Olahraga", "Teknologi", "Budaya"];

/// Everyday content words of any desk; they take every sixth rank among the frequent words.
const GENERAL: &[&str] = &[
    "baru", "lama", "besar", "penting", "terbaru", "meningkat", "menurun", "naik", "turun", "stabil", "tajam", "pesat",
    "perlahan", "hari", "pekan", "bulan", "tahun", "pagi", "sore", "malam", "jelas", "tambah", "sementara", "bahkan",
    "program", "kebijakan", "kota", "pulau", "laut", "air", "bersih", "kesehatan", "pendidikan", "masyarakat",
    "keluarga", "anak", "perempuan", "orang", "ribu", "juta", "miliar", "triliun", "persen", "kali", "pertama",
    "kedua", "terakhir", "lalu", "depan", "akhir", "awal", "tengah", "sekitar", "hampir", "banyak", "sedikit", "semua",
    "kembali", "terus", "segera",
];

/// How many content words there are in all, most of them generated.
const CONTENT_WORDS: usize = 8000;

/// Words picked with probability proportional to 1/rank.
struct Zipf<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T> Zipf<T> {
    fn new(items: Vec<T>) -> Zipf<T> {
        let mut sum = 0.0;
        let cumulative = (1..=items.len())
            .map(|rank| {
                sum += 1.0 / rank as f64;
                sum
            })
            .collect();
        Zipf { items, cumulative }
    }

    fn pick(&self, rng: &mut StdRng) -> &T {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.random::<f64>() * total;
        let i = self.cumulative.partition_point(|c| *c < x).min(self.items.len() - 1);
        &self.items[i]
    }
}

/// The generated newsroom's words.
pub struct Vocabulary {
    function: Zipf<&'static str>,
    topics: Vec<Zipf<&'static str>>,
    content: Zipf<String>,
}

impl Vocabulary {
    /// The same vocabulary every time (it does not depend on the generation's seed).
    pub fn new() -> Vocabulary {
        let mut seen: HashSet<String> =
            FUNCTION_WORDS.iter().chain(TOPICS.iter().flat_map(|t| t.iter())).map(|w| (*w).to_owned()).collect();
        seen.extend(GENERAL.iter().map(|w| (*w).to_owned()));
        let mut rng = StdRng::seed_from_u64(0x0057_4152_5441);
        let mut made = Vec::with_capacity(CONTENT_WORDS);
        while made.len() + GENERAL.len() < CONTENT_WORDS {
            let w = made_up_word(&mut rng);
            if seen.insert(w.clone()) {
                made.push(w);
            }
        }
        let mut content = Vec::with_capacity(CONTENT_WORDS);
        let mut general = GENERAL.iter();
        let mut made = made.into_iter();
        while content.len() < CONTENT_WORDS {
            let next = if content.len() % 6 == 2 { general.next().map(|w| (*w).to_owned()) } else { None };
            match next.or_else(|| made.next()).or_else(|| general.next().map(|w| (*w).to_owned())) {
                Some(w) => content.push(w),
                None => break,
            }
        }
        Vocabulary {
            function: Zipf::new(FUNCTION_WORDS.to_vec()),
            topics: TOPICS.iter().map(|t| Zipf::new(t.to_vec())).collect(),
            content: Zipf::new(content),
        }
    }

    /// A word of running text on `desk`'s topic.
    pub fn prose(&self, rng: &mut StdRng, desk: usize) -> &str {
        match rng.random_range(0..100) {
            0..=39 => self.function.pick(rng),
            40..=51 => self.topics[desk % self.topics.len()].pick(rng),
            _ => self.content.pick(rng),
        }
    }

    /// A word of a headline on `desk`'s topic (headlines skip the function words).
    pub fn headline(&self, rng: &mut StdRng, desk: usize) -> &str {
        if rng.random_bool(0.3) {
            self.topics[desk % self.topics.len()].pick(rng)
        } else {
            self.content.pick(rng)
        }
    }

    /// A content word of no particular desk.
    pub fn any(&self, rng: &mut StdRng) -> &str {
        self.content.pick(rng)
    }
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary::new()
    }
}

/// A word that sounds Indonesian: consonant-vowel syllables, sometimes an affix.
fn made_up_word(rng: &mut StdRng) -> String {
    const ONSETS: &[&str] = &["b", "d", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w", "c", "ng", "ny"];
    const VOWELS: &[&str] = &["a", "a", "i", "u", "e", "o"];
    const CODAS: &[&str] = &["", "", "", "n", "ng", "r", "t", "k", "s", "h", "l"];
    const PREFIXES: &[&str] = &["me", "ber", "di", "ter", "pe", "ke"];
    const SUFFIXES: &[&str] = &["an", "kan", "nya", "i"];
    let mut w = String::new();
    if rng.random_bool(0.3) {
        w.push_str(PREFIXES[rng.random_range(0..PREFIXES.len())]);
    }
    for _ in 0..rng.random_range(2..4) {
        w.push_str(ONSETS[rng.random_range(0..ONSETS.len())]);
        w.push_str(VOWELS[rng.random_range(0..VOWELS.len())]);
    }
    w.push_str(CODAS[rng.random_range(0..CODAS.len())]);
    if rng.random_bool(0.2) {
        w.push_str(SUFFIXES[rng.random_range(0..SUFFIXES.len())]);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_is_fixed_and_frequent_words_come_first() {
        let a = Vocabulary::new();
        let b = Vocabulary::new();
        assert_eq!(a.content.items, b.content.items, "independent of any seed");
        assert_eq!(a.content.items.len(), CONTENT_WORDS);
        assert_eq!(a.content.items.iter().collect::<HashSet<_>>().len(), CONTENT_WORDS, "no word twice");
        assert_eq!(a.content.items[2], "baru");

        let mut rng = StdRng::seed_from_u64(1);
        let picks: Vec<&str> = (0..100_000).map(|_| a.content.pick(&mut rng).as_str()).collect();
        let share = |w: &str| picks.iter().filter(|p| **p == w).count() as f64 / picks.len() as f64;
        let (first, tenth) = (share(&a.content.items[0]), share(&a.content.items[9]));
        assert!(first > 8.0 * tenth && first < 12.0 * tenth, "1/rank: {first} vs {tenth}");
    }
}
