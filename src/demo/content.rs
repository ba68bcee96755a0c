//! The sample newsroom that `warta serve --demo` seeds: original Indonesian text written for Warta.

/// A demo user (password is set by the seeder, not here).
pub struct DemoUser {
    pub email: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
    pub bio: &'static str,
}

/// A demo category; `parent` names another category's slug.
pub struct DemoCategory {
    pub slug: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub parent: Option<&'static str>,
}

/// Publication state of a demo article.
pub enum DemoState {
    /// published this many hours before seeding
    PublishedHoursAgo(i64),
    /// a draft
    Draft,
    /// scheduled this many hours after seeding
    ScheduledInHours(i64),
}

/// A demo tag.
pub struct DemoTag {
    pub slug: &'static str,
    pub name: &'static str,
}

/// A demo article. `author` is an index into USERS, `categories` and `tags` are slugs.
pub struct DemoArticle {
    pub title: &'static str,
    /// May be "" so it is derived from the body.
    pub excerpt: &'static str,
    /// Markdown.
    pub body: &'static str,
    pub author: usize,
    pub categories: &'static [&'static str],
    pub tags: &'static [&'static str],
    pub state: DemoState,
    pub source_name: Option<&'static str>,
    pub source_url: Option<&'static str>,
    /// The lead photo, drawn at seed time: its file name and alternative text.
    pub photo: Option<DemoPhoto>,
    /// "open" or "closed".
    pub comment_status: &'static str,
}

/// A lead photo of a demo article.
pub struct DemoPhoto {
    pub file_name: &'static str,
    pub alt: &'static str,
}

/// A demo comment. `article` is an index into ARTICLES; `parent` an index into COMMENTS (must be an earlier, approved comment on the same article).
pub struct DemoComment {
    pub article: usize,
    pub parent: Option<usize>,
    pub author_name: &'static str,
    pub author_email: &'static str,
    pub author_url: Option<&'static str>,
    pub body: &'static str,
    /// pending|approved|spam|trash
    pub status: &'static str,
    pub hours_ago: i64,
}

pub const USERS: &[DemoUser] = &[
    // 0
    DemoUser {
        email: "rina.kartikasari@kabarharapan.example",
        display_name: "Rina Kartikasari",
        role: "admin",
        bio: "Pemimpin redaksi Kabar Harapan. Lima belas tahun meliput di daerah sebelum mengurus dapur redaksi.",
    },
    // 1
    DemoUser {
        email: "bayu.prasetyo@kabarharapan.example",
        display_name: "Bayu Prasetyo",
        role: "editor",
        bio: "Redaktur desk dalam negeri. Gemar membaca dokumen anggaran dan peraturan daerah sampai halaman terakhir.",
    },
    // 2
    DemoUser {
        email: "dewi.anggraini@kabarharapan.example",
        display_name: "Dewi Anggraini",
        role: "author",
        bio: "Wartawan ekonomi dan internasional. Suka pasar tradisional, kopi tubruk, dan peta.",
    },
    // 3
    DemoUser {
        email: "fajar.nugroho@kabarharapan.example",
        display_name: "Fajar Nugroho",
        role: "contributor",
        bio: "Kontributor lepas dari Bandung yang menulis tentang teknologi, kebencanaan, dan komunitas warga.",
    },
];

pub const CATEGORIES: &[DemoCategory] = &[
    DemoCategory {
        slug: "dalam-negeri",
        name: "Dalam Negeri",
        description: "Berita dari seluruh penjuru tanah air, dari pusat hingga desa.",
        parent: None,
    },
    DemoCategory {
        slug: "politik",
        name: "Politik",
        description: "Kebijakan publik, parlemen, pemerintahan daerah, dan pemilihan.",
        parent: Some("dalam-negeri"),
    },
    DemoCategory {
        slug: "ekonomi",
        name: "Ekonomi",
        description: "Harga kebutuhan pokok, usaha kecil, keuangan, dan dunia kerja.",
        parent: Some("dalam-negeri"),
    },
    DemoCategory {
        slug: "luar-negeri",
        name: "Luar Negeri",
        description: "Peristiwa penting dari berbagai negara dan kawasan dunia.",
        parent: None,
    },
    DemoCategory {
        slug: "asia",
        name: "Asia",
        description: "Kabar dari negara-negara tetangga dan kawasan Asia lainnya.",
        parent: Some("luar-negeri"),
    },
    DemoCategory {
        slug: "timur-tengah",
        name: "Timur Tengah",
        description: "Berita politik, ekonomi, dan budaya dari kawasan Timur Tengah.",
        parent: Some("luar-negeri"),
    },
    DemoCategory {
        slug: "olahraga",
        name: "Olahraga",
        description: "Hasil pertandingan, profil atlet, dan kompetisi dari tingkat kampus hingga internasional.",
        parent: None,
    },
    DemoCategory {
        slug: "teknologi",
        name: "Teknologi",
        description: "Inovasi digital, perusahaan rintisan, dan teknologi untuk kehidupan sehari-hari.",
        parent: None,
    },
];

pub const TAGS: &[DemoTag] = &[
    DemoTag { slug: "harga-pangan", name: "Harga Pangan" },
    DemoTag { slug: "jawa-tengah", name: "Jawa Tengah" },
    DemoTag { slug: "lingkungan", name: "Lingkungan" },
    DemoTag { slug: "pesisir", name: "Pesisir" },
    DemoTag { slug: "iran", name: "Iran" },
    DemoTag { slug: "kerajinan", name: "Kerajinan" },
    DemoTag { slug: "brasil", name: "Brasil" },
    DemoTag { slug: "kuliner", name: "Kuliner" },
    DemoTag { slug: "umkm", name: "UMKM" },
    DemoTag { slug: "futsal", name: "Futsal" },
    DemoTag { slug: "asia-tenggara", name: "Asia Tenggara" },
    DemoTag { slug: "banjir", name: "Banjir" },
    DemoTag { slug: "startup", name: "Startup" },
    DemoTag { slug: "korea-selatan", name: "Korea Selatan" },
    DemoTag { slug: "pelabuhan", name: "Pelabuhan" },
    DemoTag { slug: "voli", name: "Voli" },
    DemoTag { slug: "oman", name: "Oman" },
    DemoTag { slug: "energi-terbarukan", name: "Energi Terbarukan" },
    DemoTag { slug: "verifikasi", name: "Verifikasi" },
    DemoTag { slug: "pilkades", name: "Pilkades" },
];

pub const ARTICLES: &[DemoArticle] = &[
    // 0
    DemoArticle {
        title: "Harga Cabai Rawit Turun Jelang Musim Panen di Jawa Tengah",
        excerpt: "",
        body: r#"Semarang (Kabar Harapan) – Harga cabai rawit merah di sejumlah pasar tradisional di Jawa Tengah turun hingga 30 persen dalam sepekan terakhir seiring mulai masuknya pasokan dari sentra produksi di lereng Merbabu dan Sindoro. Di salah satu pasar besar di Semarang, harga eceran yang sebelumnya menyentuh Rp 78.000 per kilogram kini berada di kisaran Rp 54.000.

Kepala Bidang Perdagangan dinas setempat, Hendra Wicaksono, mengatakan penurunan ini sesuai perkiraan. "Petani di dataran tinggi sudah mulai panen raya. Kalau cuaca bersahabat, harga masih bisa turun sampai akhir bulan," ujarnya, Senin.

## Pedagang Masih Berhati-hati

Meski harga turun, sebagian pedagang memilih tidak menyetok terlalu banyak. Sulastri (47), pedagang sayur, mengaku hanya mengambil separuh dari biasanya karena khawatir cabai cepat busuk saat hujan.

- Cabai rawit merah: Rp 54.000/kg (sebelumnya Rp 78.000)
- Cabai merah keriting: Rp 41.000/kg (sebelumnya Rp 52.000)
- Bawang merah: relatif stabil di Rp 36.000/kg

Dinas mengimbau masyarakat tidak melakukan pembelian berlebihan dan memantau pembaruan harga harian melalui [panel harga pangan](https://example.com/kabar-harapan/panel-harga-pangan)."#,
        author: 2,
        categories: &["ekonomi", "dalam-negeri"],
        tags: &["harga-pangan", "jawa-tengah"],
        state: DemoState::PublishedHoursAgo(2),
        source_name: Some("Kabar Harapan"),
        source_url: Some("https://example.com/kabar-harapan/harga-cabai-turun"),
        photo: Some(DemoPhoto { file_name: "pasar-cabai-rawit.jpg", alt: "Tumpukan cabai rawit merah di lapak pedagang pasar tradisional" }),
        comment_status: "open",
    },
    // 1
    DemoArticle {
        title: "DPRD Sepakati Rancangan Perda Pengelolaan Sampah Pesisir",
        excerpt: "Aturan baru mewajibkan setiap desa pesisir memiliki bank sampah dan melarang kantong plastik sekali pakai di tempat pelelangan ikan.",
        body: r#"Teluk Damar (Kabar Harapan) – Dewan Perwakilan Rakyat Daerah Kabupaten Teluk Damar akhirnya menyetujui Rancangan Peraturan Daerah tentang Pengelolaan Sampah Wilayah Pesisir dalam rapat paripurna, Kamis malam. Seluruh tujuh fraksi menyatakan setuju setelah pembahasan yang berlangsung hampir lima bulan.

Ketua panitia khusus, Agustina Manurung, menyebut perda ini lahir dari keluhan nelayan yang jaringnya kerap tersangkut sampah plastik. "Kami tidak ingin aturan ini hanya jadi dokumen. Karena itu ada tenggat yang jelas untuk setiap desa," katanya.

## Poin Utama Perda

1. Setiap desa pesisir wajib memiliki **bank sampah** paling lambat dua tahun setelah perda diundangkan.
2. Kantong plastik sekali pakai dilarang di tempat pelelangan ikan dan pasar ikan milik daerah.
3. Pemerintah daerah menyediakan insentif bagi kelompok nelayan yang mengumpulkan sampah dari laut.

Sejumlah pegiat lingkungan menyambut baik, tetapi mengingatkan soal pengawasan. *Tanpa anggaran pengawasan yang memadai, larangan hanya akan berlaku di atas kertas*, kata Rudi Hartawan dari komunitas Pantai Bersih Teluk Damar.

Bupati dijadwalkan menandatangani perda tersebut dalam waktu 30 hari sebelum dicatat dalam lembaran daerah."#,
        author: 1,
        categories: &["politik", "dalam-negeri"],
        tags: &["lingkungan", "pesisir"],
        state: DemoState::PublishedHoursAgo(6),
        source_name: Some("Kabar Harapan"),
        source_url: Some("https://example.com/kabar-harapan/perda-sampah-pesisir"),
        photo: None,
        comment_status: "open",
    },
    // 2
    DemoArticle {
        title: "Teheran Gelar Pameran Kerajinan Tangan Internasional",
        excerpt: "",
        body: r#"Teheran (Kabar Harapan) – Pameran kerajinan tangan internasional dibuka di Teheran, Iran, pada Selasa dengan menghadirkan lebih dari 400 perajin dari 28 negara. Penyelenggara memperkirakan pameran yang berlangsung sepekan itu akan dikunjungi sekitar 150 ribu orang.

Karpet tenun, keramik biru bermotif bunga, dan ukiran logam mendominasi paviliun tuan rumah. Sementara itu, paviliun negara-negara Asia menampilkan kain tenun, anyaman rotan, dan perhiasan perak.

## Batik dan Tenun Ikat Ikut Dipamerkan

Indonesia mengirim 12 perajin yang membawa batik tulis, tenun ikat dari Nusa Tenggara Timur, serta kerajinan kayu. Salah satu perajin, Maria Goreti Lamak, mengatakan pengunjung banyak bertanya soal pewarna alami.

> "Mereka kaget ketika tahu satu kain bisa dikerjakan berbulan-bulan. Di situ kami bisa bercerita tentang kampung kami," tuturnya.

Menurut laporan Anadolu, panitia juga menggelar lokakarya harian yang memungkinkan pengunjung mencoba teknik dasar menenun dan melukis keramik."#,
        author: 2,
        categories: &["timur-tengah", "luar-negeri"],
        tags: &["iran", "kerajinan"],
        state: DemoState::PublishedHoursAgo(11),
        source_name: Some("Anadolu"),
        source_url: Some("https://example.com/anadolu/teheran-pameran-kerajinan"),
        photo: None,
        comment_status: "open",
    },
    // 3
    DemoArticle {
        title: "Festival Kuliner di São Paulo Tampilkan Rendang dan Sate",
        excerpt: "Stan Indonesia menjadi salah satu yang paling ramai dalam festival kuliner jalanan di Brasil tahun ini.",
        body: r#"São Paulo (Kabar Harapan) – Aroma rempah memenuhi kawasan Liberdade, São Paulo, Brasil, akhir pekan lalu ketika festival kuliner jalanan tahunan menghadirkan stan dari 35 negara. Stan Indonesia yang menyajikan rendang, sate ayam, dan es cendol termasuk yang antreannya paling panjang.

Koordinator stan, Yohanes Siregar, mengatakan timnya menyiapkan 60 kilogram daging untuk rendang, namun persediaan habis sebelum sore pada hari kedua. "Kami harus memasak lagi sampai tengah malam," katanya sambil tertawa.

Penyelenggara mencatat sekitar 90 ribu pengunjung selama tiga hari. Banyak warga lokal yang baru pertama kali mencicipi *sambal* dan langsung menanyakan resepnya.

## Diaspora Jadi Penggerak

Komunitas diaspora Indonesia di Brasil, yang jumlahnya diperkirakan hanya beberapa ratus orang, bergotong royong menyiapkan bahan dan menjaga stan secara bergiliran. Mereka berharap keikutsertaan ini membuka jalan bagi **restoran Indonesia pertama** di kota tersebut."#,
        author: 3,
        categories: &["luar-negeri"],
        tags: &["brasil", "kuliner"],
        state: DemoState::PublishedHoursAgo(20),
        source_name: Some("Reuters"),
        source_url: Some("https://example.com/reuters/sao-paulo-festival-kuliner"),
        photo: Some(DemoPhoto { file_name: "sao-paulo-festival-kuliner.jpg", alt: "Pengunjung mengantre di depan stan makanan Indonesia di São Paulo" }),
        comment_status: "open",
    },
    // 4
    DemoArticle {
        title: "Rp 5 Triliun – Kredit Lunak Disiapkan untuk Usaha Kafé dan Kuliner",
        excerpt: "Pelaku usaha kecil di sektor kuliner dapat mengajukan pinjaman hingga Rp 500 juta dengan bunga 3 persen per tahun.",
        body: r#"Jakarta (Kabar Harapan) – Pemerintah menyiapkan dana kredit lunak senilai Rp 5 triliun bagi usaha mikro, kecil, dan menengah di sektor kuliner, termasuk kedai kopi dan kafe rumahan. Program ini dibuka mulai bulan depan melalui bank penyalur yang ditunjuk.

Deputi Bidang Pembiayaan kementerian terkait, Sri Wahyuningsih, mengatakan sektor kuliner dipilih karena menyerap banyak tenaga kerja muda. "Satu kafe kecil rata-rata mempekerjakan lima sampai delapan orang. Dampaknya terasa langsung," ujarnya dalam konferensi pers, Rabu.

## Syarat Pengajuan

- Usaha telah berjalan minimal **satu tahun**
- Memiliki Nomor Induk Berusaha (NIB)
- Plafon pinjaman maksimal Rp 500 juta dengan bunga 3 persen per tahun
- Tenor hingga lima tahun, dengan masa tenggang enam bulan

Asosiasi pengusaha kafe menyambut baik program ini, tetapi meminta proses verifikasi dibuat sederhana. Menurut mereka, banyak pelaku usaha kecil belum memiliki laporan keuangan yang rapi.

Informasi lengkap mengenai tata cara pengajuan dapat dibaca di [laman program](https://example.com/kabar-harapan/kredit-kuliner)."#,
        author: 1,
        categories: &["ekonomi"],
        tags: &["umkm", "kuliner"],
        state: DemoState::PublishedHoursAgo(30),
        source_name: Some("Kabar Harapan"),
        source_url: Some("https://example.com/kabar-harapan/kredit-lunak-kuliner"),
        photo: None,
        comment_status: "open",
    },
    // 5
    DemoArticle {
        title: "Timnas Futsal Putri Melaju ke Semifinal Kejuaraan Asia Tenggara",
        excerpt: "",
        body: r#"Bangkok (Kabar Harapan) – Tim nasional futsal putri Indonesia memastikan tiket semifinal Kejuaraan Futsal Putri Asia Tenggara setelah menaklukkan Filipina 4-2 dalam laga terakhir Grup B, Minggu malam.

Indonesia sempat tertinggal lebih dulu pada menit ketujuh. Namun, dua gol cepat dari kapten tim, Nadia Paramitha, membalikkan keadaan sebelum turun minum. Gol ketiga dan keempat dicetak oleh Citra Ayuningtyas dan pemain muda Putu Ayu Lestari.

"Anak-anak menunjukkan mental yang bagus. Tertinggal tidak membuat mereka panik," kata pelatih kepala, Andi Rahmat, seusai pertandingan.

## Lawan Berat Menanti

Di semifinal, Indonesia akan menghadapi juara bertahan Thailand, Rabu mendatang. Pada pertemuan terakhir kedua tim, Indonesia kalah tipis 1-2. Tim pelatih menyebut *pemulihan fisik* menjadi prioritas karena jarak antarlaga hanya dua hari."#,
        author: 2,
        categories: &["olahraga"],
        tags: &["futsal", "asia-tenggara"],
        state: DemoState::PublishedHoursAgo(48),
        source_name: Some("Kabar Harapan"),
        source_url: None,
        photo: None,
        comment_status: "open",
    },
    // 6
    DemoArticle {
        title: "Startup Lokal Luncurkan Aplikasi Peringatan Dini Banjir Berbasis Sensor Sungai",
        excerpt: "Aplikasi bernama Siaga Kali mengirim notifikasi ketika permukaan air di hulu naik melewati ambang batas.",
        body: r#"Bandung (Kabar Harapan) – Perusahaan rintisan asal Bandung, Arus Data Nusantara, meluncurkan aplikasi peringatan dini banjir bernama **Siaga Kali**. Aplikasi ini membaca data dari 48 sensor ketinggian air yang dipasang di sepanjang aliran Sungai Citarum dan anak-anak sungainya.

Setiap sensor mengirim data setiap lima menit melalui jaringan radio berdaya rendah. Jika permukaan air di hulu naik melewati ambang batas, warga di hilir akan menerima notifikasi di ponsel, lengkap dengan perkiraan waktu air tiba.

## Dikembangkan Bersama Warga

Pendiri perusahaan, Galih Permana, mengatakan lokasi sensor ditentukan bersama karang taruna dan relawan kebencanaan setempat. "Warga yang paling tahu titik mana yang pertama meluap. Kami hanya menyediakan alatnya," ujarnya.

Aplikasi ini bisa diunduh gratis. Untuk warga yang tidak memiliki telepon pintar, peringatan juga dikirim lewat SMS dan pengeras suara di masjid serta pos ronda.

> Uji coba selama musim hujan lalu menunjukkan peringatan rata-rata diterima 40 menit sebelum air mencapai permukiman."#,
        author: 3,
        categories: &["teknologi"],
        tags: &["banjir", "startup"],
        state: DemoState::PublishedHoursAgo(72),
        source_name: Some("Kabar Harapan"),
        source_url: Some("https://example.com/kabar-harapan/siaga-kali"),
        photo: Some(DemoPhoto { file_name: "sensor-sungai.jpg", alt: "Petugas memasang sensor ketinggian air di tepi sungai" }),
        comment_status: "open",
    },
    // 7
    DemoArticle {
        title: "Pelabuhan Busan Uji Coba Derek Otomatis, Waktu Bongkar Muat Dipangkas",
        excerpt: "",
        body: r#"Busan (Kabar Harapan) – Pelabuhan Busan, Korea Selatan, mulai menguji coba derek peti kemas yang dikendalikan dari jarak jauh dan sebagian berjalan otomatis di salah satu terminal barunya. Operator pelabuhan mengklaim waktu bongkar muat per kapal dapat dipangkas hingga 20 persen.

Derek-derek tersebut dioperasikan dari ruang kendali yang berjarak beberapa kilometer dari dermaga. Satu operator dapat mengawasi hingga empat derek sekaligus, sementara sistem komputer menangani gerakan rutin.

## Kekhawatiran Serikat Pekerja

Serikat pekerja pelabuhan meminta jaminan bahwa otomatisasi tidak berujung pada pemutusan hubungan kerja. Operator menyatakan para pekerja derek akan dilatih ulang menjadi operator jarak jauh dan teknisi pemeliharaan.

Menurut Reuters, uji coba dijadwalkan berlangsung enam bulan sebelum diputuskan apakah sistem serupa akan diterapkan di terminal lain."#,
        author: 2,
        categories: &["asia", "luar-negeri"],
        tags: &["korea-selatan", "pelabuhan"],
        state: DemoState::PublishedHoursAgo(96),
        source_name: Some("Reuters"),
        source_url: Some("https://example.com/reuters/busan-derek-otomatis"),
        photo: None,
        comment_status: "open",
    },
    // 8
    DemoArticle {
        title: "Liga Voli Antarkampus Pecahkan Rekor Penonton",
        excerpt: "Final putra antara Universitas Lembah Hijau dan Politeknik Samudra ditonton lebih dari 6.000 orang.",
        body: r#"Yogyakarta (Kabar Harapan) – Partai final Liga Voli Antarkampus musim ini mencatat rekor penonton terbanyak sejak kompetisi digelar sembilan tahun lalu. Lebih dari 6.000 orang memadati gelanggang olahraga untuk menyaksikan laga putra antara Universitas Lembah Hijau dan Politeknik Samudra.

Politeknik Samudra keluar sebagai juara setelah menang dramatis 3-2, dengan set penentuan berakhir 17-15. Pemain terbaik turnamen, Reza Firmansyah, mencetak 29 poin sepanjang laga.

Panitia menilai lonjakan penonton tidak lepas dari siaran langsung melalui kanal video kampus yang ditonton puluhan ribu orang. *Banyak alumni datang bersama keluarga, suasananya seperti pertandingan profesional*, kata ketua panitia, Lusiana Hutapea.

Musim depan, panitia berencana menambah kategori **voli pantai** dan memperluas peserta hingga 32 kampus."#,
        author: 1,
        categories: &["olahraga"],
        tags: &["voli"],
        state: DemoState::PublishedHoursAgo(150),
        source_name: None,
        source_url: None,
        photo: None,
        comment_status: "closed",
    },
    // 9
    DemoArticle {
        title: "Oman Resmikan Pembangkit Listrik Tenaga Surya Terapung Pertama",
        excerpt: "",
        body: r#"Muskat (Kabar Harapan) – Oman meresmikan pembangkit listrik tenaga surya terapung pertamanya di sebuah waduk di pedalaman negeri itu. Pembangkit berkapasitas 25 megawatt tersebut diperkirakan mampu memasok listrik untuk sekitar 9.000 rumah.

Panel surya dipasang di atas ponton yang menutupi sekitar sepertiga permukaan waduk. Selain menghasilkan listrik, penutup panel diharapkan mengurangi penguapan air yang tinggi akibat suhu ekstrem pada musim panas.

## Menghemat Air dan Lahan

Para insinyur proyek menyebut sistem terapung punya dua keuntungan di kawasan gurun:

- tidak memakan lahan yang bisa digunakan untuk pertanian atau permukiman;
- suhu panel lebih rendah karena berada di atas air, sehingga efisiensinya meningkat.

Menurut laporan Anadolu, pemerintah setempat menargetkan porsi energi terbarukan terus bertambah dalam satu dekade ke depan, dan proyek serupa sedang dikaji untuk dua waduk lainnya."#,
        author: 0,
        categories: &["timur-tengah"],
        tags: &["oman", "energi-terbarukan"],
        state: DemoState::PublishedHoursAgo(300),
        source_name: Some("Anadolu"),
        source_url: Some("https://example.com/anadolu/oman-surya-terapung"),
        photo: Some(DemoPhoto { file_name: "panel-surya-terapung.jpg", alt: "Deretan panel surya terapung di atas permukaan waduk" }),
        comment_status: "open",
    },
    // 10
    DemoArticle {
        title: "Catatan Redaksi: Cara Kami Memverifikasi Foto Kiriman Pembaca",
        excerpt: "Redaksi menjelaskan langkah-langkah pemeriksaan sebelum foto dari pembaca dimuat di Kabar Harapan.",
        body: r#"Jakarta (Kabar Harapan) – Setiap hari redaksi *Kabar Harapan* menerima puluhan foto dan video dari pembaca. Sebagian sangat membantu liputan, tetapi tidak sedikit yang ternyata foto lama atau diambil di tempat lain. Catatan ini menjelaskan bagaimana kami memeriksanya.

## Langkah Pemeriksaan

1. **Mencari jejak lama.** Kami memeriksa apakah foto pernah beredar sebelumnya dengan pencarian gambar terbalik.
2. **Mencocokkan lokasi.** Papan nama, bentuk bangunan, dan arah bayangan dibandingkan dengan peta dan citra satelit.
3. **Menghubungi pengirim.** Kami meminta berkas asli dan menanyakan kapan serta di mana foto diambil.
4. **Meminta konfirmasi kedua.** Bila memungkinkan, wartawan atau narasumber di lokasi diminta memastikan kejadian.

Foto yang tidak lolos pemeriksaan tidak akan dimuat, seberapa pun menariknya.

Jika Anda ingin mengirim foto, gunakan [formulir kiriman pembaca](https://example.com/kabar-harapan/kirim-foto) dan sertakan keterangan selengkap mungkin."#,
        author: 3,
        categories: &["teknologi"],
        tags: &["verifikasi"],
        state: DemoState::Draft,
        source_name: None,
        source_url: None,
        photo: None,
        comment_status: "open",
    },
    // 11
    DemoArticle {
        title: "Pemilihan Kepala Desa Serentak Digelar di 120 Desa Bulan Depan",
        excerpt: "",
        body: r#"Teluk Damar (Kabar Harapan) – Pemerintah Kabupaten Teluk Damar menetapkan jadwal pemilihan kepala desa serentak yang akan digelar di 120 desa pada bulan depan. Sebanyak 412 calon telah dinyatakan memenuhi syarat oleh panitia pemilihan di tingkat kabupaten.

Kepala Dinas Pemberdayaan Masyarakat dan Desa, Yusuf Hamdani, mengatakan pemungutan suara akan dilakukan pada hari yang sama di seluruh desa untuk memudahkan pengamanan. "Kami minta para calon menjaga suasana tetap sejuk dan tidak menggunakan politik uang," katanya.

## Tahapan Menjelang Pemungutan Suara

- Masa kampanye berlangsung selama tiga hari
- Debat terbuka calon dijadwalkan di balai desa masing-masing
- Masa tenang selama tiga hari sebelum hari pemungutan suara

Panitia juga membuka posko pengaduan di setiap kecamatan. Warga yang menemukan dugaan pelanggaran dapat melapor langsung atau melalui nomor layanan yang diumumkan di kantor desa."#,
        author: 1,
        categories: &["politik"],
        tags: &["pilkades"],
        state: DemoState::ScheduledInHours(48),
        source_name: Some("Kabar Harapan"),
        source_url: Some("https://example.com/kabar-harapan/pilkades-serentak"),
        photo: None,
        comment_status: "open",
    },
];

/// A page of the site (kind `page`), written by the editor-in-chief and published with the demo.
pub struct DemoPage {
    pub slug: &'static str,
    pub title: &'static str,
    /// Markdown.
    pub body: &'static str,
}

pub const PAGES: &[DemoPage] = &[
    DemoPage {
        slug: "tentang-kami",
        title: "Tentang Kami",
        body: r#"Kabar Harapan adalah media berita daring yang meliput peristiwa dalam negeri, ekonomi, dan dunia dari sudut pandang warga. Kami percaya berita yang baik lahir dari verifikasi yang tekun, bukan dari kecepatan semata.

Redaksi bekerja dari Jakarta dengan jaringan kontributor di berbagai daerah. Koreksi dan masukan pembaca dapat dikirim ke alamat redaksi yang tercantum di halaman [Redaksi](/redaksi)."#,
    },
    DemoPage {
        slug: "redaksi",
        title: "Redaksi",
        body: r#"**Pemimpin Redaksi:** Rina Kartikasari

**Redaktur Dalam Negeri:** Bayu Prasetyo

**Wartawan Ekonomi dan Internasional:** Dewi Anggraini

**Kontributor Bandung:** Fajar Nugroho

Alamat redaksi: Jalan Contoh Raya No. 17, Jakarta. Surel: redaksi@kabarharapan.example"#,
    },
    DemoPage {
        slug: "pedoman-media-siber",
        title: "Pedoman Pemberitaan Media Siber",
        body: r#"Kabar Harapan menaati Kode Etik Jurnalistik dan pedoman pemberitaan media siber.

1. Setiap berita diverifikasi sebelum terbit; berita yang belum terverifikasi diberi keterangan dan diperbarui.
2. Komentar pembaca dimoderasi. Komentar yang memuat fitnah, SARA, atau kekerasan tidak ditayangkan.
3. Alamat surel pembaca yang berkomentar tidak pernah ditampilkan.
4. Ralat dan hak jawab dimuat pada berita yang bersangkutan dengan keterangan waktu."#,
    },
];

pub const COMMENTS: &[DemoComment] = &[
    // 0
    DemoComment {
        article: 1,
        parent: None,
        author_name: "Bambang Sutrisno",
        author_email: "bambang.sutrisno@example.com",
        author_url: None,
        body: "Akhirnya disahkan juga. Semoga bukan cuma larangan, tapi tempat pembuangan sampah di kampung nelayan juga ditambah.",
        status: "approved",
        hours_ago: 5,
    },
    // 1
    DemoComment {
        article: 1,
        parent: Some(0),
        author_name: "Siti Rahmawati",
        author_email: "siti.rahmawati@example.net",
        author_url: None,
        body: "Setuju, Pak. Di desa saya bank sampah sudah jalan dua tahun, tinggal pengangkutannya yang sering telat.",
        status: "approved",
        hours_ago: 3,
    },
    // 2
    DemoComment {
        article: 1,
        parent: None,
        author_name: "Dimas Aditya",
        author_email: "dimas.aditya@example.com",
        author_url: None,
        body: "Kalau pedagang ikan masih pakai plastik, sanksinya apa ya? Di artikel belum dijelaskan.",
        status: "pending",
        hours_ago: 1,
    },
    // 3
    DemoComment {
        article: 3,
        parent: None,
        author_name: "Yuliana Putri",
        author_email: "yuliana.putri@example.net",
        author_url: Some("https://example.net/dapur-yuli"),
        body: "Bangga banget rendang bisa bikin antre panjang sampai Brasil! Pengin lihat fotonya lebih banyak.",
        status: "approved",
        hours_ago: 18,
    },
    // 4
    DemoComment {
        article: 3,
        parent: None,
        author_name: "Hendra Gunawan",
        author_email: "hendra.gunawan@example.com",
        author_url: None,
        body: "Kakak saya tinggal di São Paulo, katanya memang susah cari bumbu Indonesia di sana. Semoga restorannya cepat buka.",
        status: "approved",
        hours_ago: 12,
    },
    // 5
    DemoComment {
        article: 3,
        parent: Some(3),
        author_name: "Ratna Sari",
        author_email: "ratna.sari@example.com",
        author_url: None,
        body: "Iya, Mbak. Katanya sate ayamnya juga laris. Semoga festival begini ada juga di kota-kota lain.",
        status: "approved",
        hours_ago: 10,
    },
    // 6
    DemoComment {
        article: 4,
        parent: None,
        author_name: "Agus Setiawan",
        author_email: "agus.setiawan@example.net",
        author_url: None,
        body: "Saya punya kedai kopi kecil, sudah jalan tiga tahun tapi belum punya NIB. Ngurusnya lama nggak ya?",
        status: "approved",
        hours_ago: 25,
    },
    // 7
    DemoComment {
        article: 4,
        parent: None,
        author_name: "Promo Pinjaman Kilat",
        author_email: "promo.kilat@example.net",
        author_url: Some("https://example.net/pinjaman-kilat"),
        body: "PINJAMAN CAIR 5 MENIT TANPA JAMINAN!!! Klik https://example.net/pinjaman-kilat dan https://example.net/bonus-daftar sekarang juga, dijamin ACC 100%!!!",
        status: "spam",
        hours_ago: 22,
    },
    // 8
    DemoComment {
        article: 4,
        parent: None,
        author_name: "Wulan Maharani",
        author_email: "wulan.maharani@example.com",
        author_url: None,
        body: "Bunga 3 persen itu flat atau efektif? Mohon redaksi bisa tanyakan ke penyelenggara.",
        status: "pending",
        hours_ago: 4,
    },
    // 9
    DemoComment {
        article: 5,
        parent: None,
        author_name: "Teguh Santoso",
        author_email: "teguh.santoso@example.com",
        author_url: None,
        body: "Gol kedua Nadia keren sekali. Lawan Thailand pasti berat, tapi tetap semangat!",
        status: "approved",
        hours_ago: 40,
    },
    // 10
    DemoComment {
        article: 6,
        parent: None,
        author_name: "Indah Lestari",
        author_email: "indah.lestari@example.net",
        author_url: None,
        body: "Rumah saya dekat bantaran, semoga sensornya juga dipasang di sini. Tiap musim hujan kami selalu waswas.",
        status: "approved",
        hours_ago: 60,
    },
    // 11
    DemoComment {
        article: 6,
        parent: None,
        author_name: "tes",
        author_email: "tes@example.com",
        author_url: None,
        body: "tes tes komentar",
        status: "trash",
        hours_ago: 50,
    },
    // 12
    DemoComment {
        article: 7,
        parent: None,
        author_name: "Joko Susilo",
        author_email: "joko.susilo@example.com",
        author_url: None,
        body: "Pelabuhan kita kapan ya bisa seefisien ini? Antrean truk di pelabuhan masih panjang sekali.",
        status: "approved",
        hours_ago: 80,
    },
    // 13
    DemoComment {
        article: 9,
        parent: None,
        author_name: "Nur Aini",
        author_email: "nur.aini@example.net",
        author_url: Some("https://example.net/catatan-nur"),
        body: "Ide bagus, waduk di Indonesia juga banyak. Sekalian mengurangi penguapan waktu kemarau.",
        status: "approved",
        hours_ago: 250,
    },
    // 14
    DemoComment {
        article: 0,
        parent: None,
        author_name: "Slamet Prayogo",
        author_email: "slamet.prayogo@example.com",
        author_url: None,
        body: "Di pasar dekat rumah saya di Salatiga malah belum turun, masih 70 ribu sekilo.",
        status: "pending",
        hours_ago: 1,
    },
];
