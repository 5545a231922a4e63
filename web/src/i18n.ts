// Every text of the page, in English and Vietnamese, and the Intl formatters of the chosen
// locale. Switching language re-renders from the data already held: nothing is fetched again.

export type Lang = 'en' | 'vi';

const en = {
  'app.title': 'cryptodash — live crypto market',
  'app.tagline': 'Live crypto market',
  'conn.connecting': 'Connecting…',
  'conn.live': 'Live',
  'conn.reconnecting': 'Reconnecting…',
  'conn.polling': 'Polling every {s} s',
  'conn.label': 'Connection:',
  'lang.label': 'Language',
  'updated': 'Updated {time}',
  'updated.never': 'Waiting for data…',
  'cards.aria': 'Market summary',
  'card.btc_price': 'Bitcoin price',
  'card.market_cap': 'Total market cap',
  'card.volume': '24h volume',
  'card.btc_dominance': 'BTC dominance',
  'card.eth_dominance': 'ETH dominance',
  'card.fear_greed': 'Fear & Greed index',
  'card.rsi': 'BTC RSI (14, daily)',
  'card.change_24h': '{value} in 24h',
  'card.of_market': 'of total market cap',
  'card.volume_note': 'All coins, last 24 hours',
  'badge.fresh': 'Fresh',
  'badge.stale': 'Stale · {age}',
  'badge.unavailable': 'Unavailable',
  'badge.loading': 'Loading',
  'badge.stale_short': 'Stale',
  'sources.title': 'Data sources',
  'sources.global': 'Global market (cap, volume, dominance)',
  'sources.btc_price': 'Bitcoin price',
  'sources.fear_greed': 'Fear & Greed index',
  'sources.rsi': 'BTC RSI (14)',
  'sources.fetched': 'fetched {age}',
  'badge.title.fresh': 'Up to date, fetched {age}',
  'badge.title.stale': 'Last good value, fetched {age}',
  'badge.title.unavailable': 'No value from this source',
  'reason': 'Reason: {reason}',
  'rsi.oversold': 'Oversold',
  'rsi.overbought': 'Overbought',
  'rsi.neutral': 'Neutral',
  'chart.title': '{symbol} / USD',
  'chart.symbol': 'Symbol',
  'chart.interval': 'Interval',
  'chart.overlays': 'Overlays',
  'chart.loading': 'Loading chart…',
  'chart.error': 'Chart unavailable: {reason}',
  'chart.empty': 'No candles for this symbol and interval.',
  'chart.source': 'Source: {source}',
  'chart.no_volume': 'no volume from this source',
  'chart.aria': 'Candlestick chart of {symbol} with volume',
  'chart.volume': 'Volume',
  'markets.title': 'Markets',
  'markets.aria': 'Watched markets',
  'markets.coin': 'Coin',
  'markets.price': 'Price',
  'markets.change': '24h',
  'markets.cap': 'Market cap',
  'markets.select': 'Show the {symbol} chart',
  'markets.loading': 'Loading markets…',
  'markets.error': 'Markets unavailable: {reason}',
  'markets.row_error': 'Unavailable: {reason}',
  'admin.title': 'Admin',
  'admin.hint': 'Cache statistics, upstream health and maintenance actions.',
  'admin.token': 'Admin token',
  'admin.token_note': 'Kept in this browser tab only (session storage).',
  'admin.save': 'Save token',
  'admin.forget': 'Forget',
  'admin.token_saved': 'Token saved for this tab.',
  'admin.token_forgotten': 'Token forgotten.',
  'admin.reload': 'Reload stats',
  'admin.clear': 'Clear cache',
  'admin.refresh': 'Force refresh',
  'admin.working': 'Working…',
  'admin.tiers': 'Cache tiers',
  'admin.upstreams': 'Upstreams',
  'admin.strategy': 'Refresh strategy: {strategy} · cache strategy: {cache}',
  'admin.stats_at': 'Stats at {time}',
  'admin.no_stats': 'No statistics loaded yet.',
  'admin.tier': 'Tier',
  'admin.entries': 'Entries',
  'admin.hit_rate': 'Hit rate',
  'admin.hits': 'Hits',
  'admin.misses': 'Misses',
  'admin.ttl': 'TTL',
  'admin.size': 'Size',
  'admin.disk': 'Disk',
  'admin.health': 'Health',
  'admin.healthy': 'Healthy',
  'admin.unhealthy': 'Unhealthy',
  'admin.disabled': 'Disabled',
  'admin.provider': 'Provider',
  'admin.circuit': 'Circuit',
  'admin.calls': 'Calls',
  'admin.failures': 'Failures',
  'admin.rate_limited': 'Rate limited',
  'admin.budget': 'Budget (month)',
  'admin.interval': 'Refresh every',
  'admin.unlimited': 'unlimited',
  'admin.circuit.closed': 'Closed',
  'admin.circuit.open': 'Open',
  'admin.circuit.half_open': 'Half-open',
  'admin.need_token': 'Enter the admin token first.',
  'admin.cleared': 'Cache cleared: {n} entries removed from L1 (all tiers cleared).',
  'admin.refreshed': 'Summary refreshed from the upstreams.',
  'admin.err401': 'The server refused the admin token (401 Unauthorized): {message}',
  'admin.err403': 'Admin actions are disabled on this server (403 Forbidden): {message}',
  'admin.err429': 'Too many forced refreshes; try again in {s} s.',
  'admin.err_network': 'Could not reach the server.',
  'admin.err_other': 'Request failed ({status}): {message}',
  'footer.text': 'Data from CoinGecko, alternative.me, Binance and TAAPI.io, served from the cryptodash cache.',
  'footer.api': 'API description',
  'dash': '—',
} as const;

export type Key = keyof typeof en;

const vi: Record<Key, string> = {
  'app.title': 'cryptodash — thị trường tiền mã hóa trực tiếp',
  'app.tagline': 'Thị trường tiền mã hóa trực tiếp',
  'conn.connecting': 'Đang kết nối…',
  'conn.live': 'Trực tiếp',
  'conn.reconnecting': 'Đang kết nối lại…',
  'conn.polling': 'Cập nhật mỗi {s} giây',
  'conn.label': 'Kết nối:',
  'lang.label': 'Ngôn ngữ',
  'updated': 'Cập nhật lúc {time}',
  'updated.never': 'Đang chờ dữ liệu…',
  'cards.aria': 'Tổng quan thị trường',
  'card.btc_price': 'Giá Bitcoin',
  'card.market_cap': 'Tổng vốn hóa',
  'card.volume': 'Khối lượng 24 giờ',
  'card.btc_dominance': 'Tỷ trọng BTC',
  'card.eth_dominance': 'Tỷ trọng ETH',
  'card.fear_greed': 'Sợ hãi & Tham lam',
  'card.rsi': 'RSI của BTC (14, ngày)',
  'card.change_24h': '{value} trong 24 giờ',
  'card.of_market': 'trên tổng vốn hóa thị trường',
  'card.volume_note': 'Tất cả các đồng, 24 giờ qua',
  'badge.fresh': 'Mới',
  'badge.stale': 'Cũ · {age}',
  'badge.unavailable': 'Không có dữ liệu',
  'badge.loading': 'Đang tải',
  'badge.stale_short': 'Cũ',
  'sources.title': 'Nguồn dữ liệu',
  'sources.global': 'Thị trường chung (vốn hóa, khối lượng, tỷ trọng)',
  'sources.btc_price': 'Giá Bitcoin',
  'sources.fear_greed': 'Chỉ số Sợ hãi & Tham lam',
  'sources.rsi': 'RSI của BTC (14)',
  'sources.fetched': 'lấy {age}',
  'badge.title.fresh': 'Dữ liệu mới, lấy {age}',
  'badge.title.stale': 'Giá trị tốt gần nhất, lấy {age}',
  'badge.title.unavailable': 'Nguồn này không trả về giá trị',
  'reason': 'Lý do: {reason}',
  'rsi.oversold': 'Quá bán',
  'rsi.overbought': 'Quá mua',
  'rsi.neutral': 'Trung tính',
  'chart.title': '{symbol} / USD',
  'chart.symbol': 'Mã',
  'chart.interval': 'Khung thời gian',
  'chart.overlays': 'Chỉ báo',
  'chart.loading': 'Đang tải biểu đồ…',
  'chart.error': 'Không tải được biểu đồ: {reason}',
  'chart.empty': 'Không có nến cho mã và khung thời gian này.',
  'chart.source': 'Nguồn: {source}',
  'chart.no_volume': 'nguồn này không có khối lượng',
  'chart.aria': 'Biểu đồ nến của {symbol} kèm khối lượng',
  'chart.volume': 'Khối lượng',
  'markets.title': 'Thị trường',
  'markets.aria': 'Các thị trường đang theo dõi',
  'markets.coin': 'Đồng',
  'markets.price': 'Giá',
  'markets.change': '24 giờ',
  'markets.cap': 'Vốn hóa',
  'markets.select': 'Xem biểu đồ {symbol}',
  'markets.loading': 'Đang tải thị trường…',
  'markets.error': 'Không tải được thị trường: {reason}',
  'markets.row_error': 'Không có dữ liệu: {reason}',
  'admin.title': 'Quản trị',
  'admin.hint': 'Thống kê bộ nhớ đệm, tình trạng các nguồn dữ liệu và thao tác bảo trì.',
  'admin.token': 'Mã quản trị',
  'admin.token_note': 'Chỉ được giữ trong thẻ trình duyệt này (session storage).',
  'admin.save': 'Lưu mã',
  'admin.forget': 'Xóa mã',
  'admin.token_saved': 'Đã lưu mã cho thẻ này.',
  'admin.token_forgotten': 'Đã xóa mã.',
  'admin.reload': 'Tải lại thống kê',
  'admin.clear': 'Xóa bộ nhớ đệm',
  'admin.refresh': 'Làm mới ngay',
  'admin.working': 'Đang xử lý…',
  'admin.tiers': 'Các tầng bộ nhớ đệm',
  'admin.upstreams': 'Nguồn dữ liệu',
  'admin.strategy': 'Chiến lược làm mới: {strategy} · chiến lược bộ nhớ đệm: {cache}',
  'admin.stats_at': 'Thống kê lúc {time}',
  'admin.no_stats': 'Chưa tải thống kê.',
  'admin.tier': 'Tầng',
  'admin.entries': 'Số mục',
  'admin.hit_rate': 'Tỷ lệ trúng',
  'admin.hits': 'Trúng',
  'admin.misses': 'Trượt',
  'admin.ttl': 'TTL',
  'admin.size': 'Dung lượng',
  'admin.disk': 'Đĩa',
  'admin.health': 'Tình trạng',
  'admin.healthy': 'Tốt',
  'admin.unhealthy': 'Lỗi',
  'admin.disabled': 'Tắt',
  'admin.provider': 'Nhà cung cấp',
  'admin.circuit': 'Cầu dao',
  'admin.calls': 'Lượt gọi',
  'admin.failures': 'Lỗi',
  'admin.rate_limited': 'Bị giới hạn',
  'admin.budget': 'Hạn mức (tháng)',
  'admin.interval': 'Làm mới mỗi',
  'admin.unlimited': 'không giới hạn',
  'admin.circuit.closed': 'Đóng',
  'admin.circuit.open': 'Mở',
  'admin.circuit.half_open': 'Nửa mở',
  'admin.need_token': 'Hãy nhập mã quản trị trước.',
  'admin.cleared': 'Đã xóa bộ nhớ đệm: {n} mục bị xóa khỏi L1 (đã xóa mọi tầng).',
  'admin.refreshed': 'Đã làm mới bản tóm tắt từ các nguồn dữ liệu.',
  'admin.err401': 'Máy chủ từ chối mã quản trị (401 Unauthorized): {message}',
  'admin.err403': 'Các thao tác quản trị bị tắt trên máy chủ này (403 Forbidden): {message}',
  'admin.err429': 'Quá nhiều lần làm mới; hãy thử lại sau {s} giây.',
  'admin.err_network': 'Không kết nối được máy chủ.',
  'admin.err_other': 'Yêu cầu thất bại ({status}): {message}',
  'footer.text': 'Dữ liệu từ CoinGecko, alternative.me, Binance và TAAPI.io, phục vụ từ bộ nhớ đệm của cryptodash.',
  'footer.api': 'Mô tả API',
  'dash': '—',
};

const dictionaries: Record<Lang, Record<Key, string>> = { en, vi };
const locales: Record<Lang, string> = { en: 'en-US', vi: 'vi-VN' };

// Fear & Greed classifications as alternative.me names them.
const fearGreedVi: Record<string, string> = {
  'extreme fear': 'Sợ hãi tột độ',
  'fear': 'Sợ hãi',
  'neutral': 'Trung lập',
  'greed': 'Tham lam',
  'extreme greed': 'Tham lam tột độ',
};

// The server's fixed error texts (src/market/data_service.cpp describe_error).
const reasonsVi: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^timeout after (\d+) ms$/, (m) => `hết thời gian chờ sau ${m[1] ?? ''} ms`],
  [/^timed out$/, () => 'hết thời gian chờ'],
  [/^circuit open$/, () => 'cầu dao đang mở (nguồn tạm ngưng)'],
  [/^rate limited$/, () => 'bị giới hạn tần suất'],
  [/^budget exhausted$/, () => 'đã hết hạn mức gọi'],
  [/^upstream error$/, () => 'nguồn dữ liệu báo lỗi'],
  [/^invalid upstream response$/, () => 'nguồn trả về dữ liệu không hợp lệ'],
  [/^upstream unavailable$/, () => 'nguồn dữ liệu không khả dụng'],
  [/^upstream refused our credentials$/, () => 'nguồn từ chối thông tin xác thực'],
  [/^upstream refused access$/, () => 'nguồn từ chối truy cập'],
  [/^not found$/, () => 'không tìm thấy'],
  [/^upstream answer too large$/, () => 'câu trả lời từ nguồn quá lớn'],
  [/^network error$/, () => 'lỗi mạng'],
];

type Unit = 'second' | 'minute' | 'hour' | 'day';

/** The texts and number/date formats of one language. */
export class I18n {
  readonly lang: Lang;
  readonly locale: string;
  private readonly dict: Record<Key, string>;
  private readonly cache = new Map<string, Intl.NumberFormat>();
  private readonly relative: Intl.RelativeTimeFormat;
  private readonly dateTime: Intl.DateTimeFormat;
  private readonly timeOnly: Intl.DateTimeFormat;

  constructor(lang: Lang) {
    this.lang = lang;
    this.locale = locales[lang];
    this.dict = dictionaries[lang];
    this.relative = new Intl.RelativeTimeFormat(this.locale, { numeric: 'auto', style: 'short' });
    this.dateTime = new Intl.DateTimeFormat(this.locale, {
      year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    this.timeOnly = new Intl.DateTimeFormat(this.locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  /** The text of `key` with `{name}` placeholders filled in. */
  t(key: Key, params: Record<string, string | number> = {}): string {
    return this.dict[key].replace(/\{(\w+)\}/g, (all, name: string) => {
      const v = params[name];
      return v === undefined ? all : String(v);
    });
  }

  private nf(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
    let f = this.cache.get(key);
    if (!f) {
      f = new Intl.NumberFormat(this.locale, options);
      this.cache.set(key, f);
    }
    return f;
  }

  /** A USD price: cents for prices from $1 up, four significant digits below. */
  usd(v: number): string {
    if (Math.abs(v) >= 1) {
      return this.nf('usd', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
    }
    return this.nf('usd-small', { style: 'currency', currency: 'USD', maximumSignificantDigits: 4 }).format(v);
  }

  /** A large USD amount in compact form ($2.41T). */
  usdCompact(v: number): string {
    return this.nf('usd-compact', {
      style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 2,
    }).format(v);
  }

  /** A change in percent with its sign (+2.14%). */
  signedPct(v: number): string {
    return this.nf('pct-signed', {
      style: 'percent', signDisplay: 'exceptZero', minimumFractionDigits: 2, maximumFractionDigits: 2,
    }).format(v / 100);
  }

  /** A share in percent (52.3%). */
  pct(v: number, digits = 1): string {
    return this.nf(`pct-${digits}`, {
      style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits,
    }).format(v / 100);
  }

  num(v: number, digits = 0): string {
    return this.nf(`num-${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
  }

  /** A plain price for the chart's axis (no currency sign). */
  price(v: number): string {
    const a = Math.abs(v);
    const [min, max] = a >= 10000 ? [0, 2] : a >= 1000 ? [2, 2] : a >= 1 ? [2, 3] : [2, 6];
    return this.nf(`price-${min}-${max}`, { minimumFractionDigits: min, maximumFractionDigits: max }).format(v);
  }

  compact(v: number): string {
    return this.nf('compact', { notation: 'compact', maximumFractionDigits: 2 }).format(v);
  }

  bytes(v: number): string {
    const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
    let i = 0;
    let x = v;
    while (x >= 1024 && i < units.length - 1) {
      x /= 1024;
      i += 1;
    }
    const unit = units[i] ?? 'byte';
    return this.nf(`bytes-${unit}`, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(x);
  }

  /** A duration in its largest whole unit (4 min, 2 hr). */
  duration(seconds: number): string {
    const [value, unit] = split(seconds);
    return this.nf(`dur-${unit}`, { style: 'unit', unit, unitDisplay: 'short' }).format(value);
  }

  /** How long ago, for an age in seconds (4 min. ago). */
  ago(seconds: number): string {
    const [value, unit] = split(seconds);
    return this.relative.format(-value, unit);
  }

  /** A date and time in the viewer's time zone. */
  date(d: Date): string {
    return this.dateTime.format(d);
  }

  time(d: Date): string {
    return this.timeOnly.format(d);
  }

  fearGreedClass(c: string): string {
    if (this.lang === 'vi') return fearGreedVi[c.toLowerCase()] ?? c;
    return c;
  }

  /** The server's reason text, translated when it is one of the known ones. */
  reason(r: string): string {
    if (this.lang !== 'vi') return r;
    for (const [re, to] of reasonsVi) {
      const m = r.match(re);
      if (m) return to(m);
    }
    return r;
  }
}

function split(seconds: number): [number, Unit] {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return [s, 'second'];
  if (s < 3600) return [Math.floor(s / 60), 'minute'];
  if (s < 86400) return [Math.floor(s / 3600), 'hour'];
  return [Math.floor(s / 86400), 'day'];
}

const storageKey = 'cryptodash.lang';

export function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'vi';
}

/** The remembered language, else the browser's when it is Vietnamese, else English. */
export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(storageKey);
    if (isLang(saved)) return saved;
  } catch {
    // storage blocked: fall through
  }
  return navigator.language.toLowerCase().startsWith('vi') ? 'vi' : 'en';
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(storageKey, lang);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
}
