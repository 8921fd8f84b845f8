/* Whether a signed document's bytes are already their own canonical form, for the signature
 * check's fast path (profiles/signature.py, _canonical_verifies). Included once by _cscan.c.
 *
 * canonical_spans(data, holder, sig_open, sig_close) -> (root_start, root_end, sig_start,
 * sig_end) or None. It answers only for a document in this subset, which lxml parses and whose
 * document element C14N (1.0 or 1.1, without comments) writes back byte for byte:
 *   - an optional BOM and XML declaration (as the scanners read it), white space, the document
 *     element, white space; no DOCTYPE, comment or processing instruction; no CR in the document
 *     element (the parser turns it into LF);
 *   - elements <NAME>...</NAME>, NAME in [A-Za-z_][A-Za-z0-9_.-]* (no prefix, no attribute, no
 *     blank inside a tag, no empty-element tag), properly nested, at most 128 deep;
 *   - text: UTF-8 characters XML 1.0 allows, '&' only in &amp; &lt; &gt;, no '>';
 *   - one signature element, the first child of the first `holder` child of the document element,
 *     written from `sig_open` (its namespace declaration included) to the first `sig_close`; its
 *     bytes must be UTF-8 XML characters without '&' (the caller pins the rest with the
 *     canonical signature's pattern).
 * Anything else is None: the caller parses and canonicalises as before. */

#define C14N_DEPTH 128
#define C14N_NAME 1000
#define C14N_LARGEST 8000000

/* The length of the UTF-8 character at s[i] if XML 1.0 allows it in a canonical text (CR aside),
 * else 0. */
/* The ASCII bytes a canonical text keeps as they are: tab, LF and 0x20-0x7F but '<', '>', '&'. */
static unsigned char c14n_text[256];

static void
init_c14n(void)
{
    c14n_text['\t'] = c14n_text['\n'] = 1;
    for (int c = 0x20; c < 0x80; c++)
        c14n_text[c] = c != '<' && c != '>' && c != '&';
}

#define BYTES(c) (0x0101010101010101ULL * (uint64_t)(c))
#define HIGH_BITS BYTES(0x80)
#define HAS_ZERO(w) (((w) - BYTES(1)) & ~(w) & HIGH_BITS)

/* The position after the run of c14n_text bytes from s[pos], eight bytes at a time while the
 * bytes are 0x20-0x7F but '<', '>' and '&' (tab and LF end a word; the byte loop takes them). */
static Py_ssize_t
plain_run(const unsigned char *s, Py_ssize_t n, Py_ssize_t pos)
{
    for (; pos + 8 <= n; pos += 8) {
        uint64_t w;
        memcpy(&w, s + pos, 8);
        uint64_t odd = (((w - BYTES(0x20)) & ~w) | w) & HIGH_BITS; /* a byte < 0x20 or >= 0x80 */
        if (odd | HAS_ZERO(w ^ BYTES('<')) | HAS_ZERO(w ^ BYTES('>')) | HAS_ZERO(w ^ BYTES('&')))
            break;
    }
    while (pos < n && c14n_text[s[pos]])
        pos++;
    return pos;
}

static int
xml_char(const unsigned char *s, Py_ssize_t n, Py_ssize_t i)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return c >= 0x20 || c == '\t' || c == '\n';
    if (c < 0xC2) /* a continuation byte, or an overlong lead */
        return 0;
    if (c < 0xE0)
        return i + 1 < n && (s[i + 1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (i + 2 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)) /* overlong; surrogate */
            return 0;
        if (c == 0xEF && s[i + 1] == 0xBF && s[i + 2] >= 0xBE) /* U+FFFE, U+FFFF */
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (i + 3 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)) /* overlong; > U+10FFFF */
            return 0;
        return 4;
    }
    return 0;
}

/* The end of NAME at s[pos], or -1. */
static Py_ssize_t
c14n_name(const unsigned char *s, Py_ssize_t n, Py_ssize_t pos)
{
    Py_ssize_t start = pos;
    if (pos >= n || !((s[pos] >= 'A' && s[pos] <= 'Z') || (s[pos] >= 'a' && s[pos] <= 'z') || s[pos] == '_'))
        return -1;
    while (pos < n && ((s[pos] >= 'A' && s[pos] <= 'Z') || (s[pos] >= 'a' && s[pos] <= 'z') ||
                       (s[pos] >= '0' && s[pos] <= '9') || s[pos] == '_' || s[pos] == '.' || s[pos] == '-'))
        pos++;
    return pos - start <= C14N_NAME ? pos : -1;
}

static PyObject *
canonical_spans(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyBytes_Check(args[0]) || !PyUnicode_Check(args[1]) || !PyUnicode_IS_ASCII(args[1]) ||
        !PyBytes_Check(args[2]) || !PyBytes_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError,
                        "canonical_spans(data: bytes, holder: str, sig_open: bytes, sig_close: bytes)");
        return NULL;
    }
    const unsigned char *s = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    Py_ssize_t n = PyBytes_GET_SIZE(args[0]);
    const char *holder = (const char *)PyUnicode_1BYTE_DATA(args[1]);
    Py_ssize_t holder_len = PyUnicode_GET_LENGTH(args[1]);
    const char *sig_open = PyBytes_AS_STRING(args[2]), *sig_close = PyBytes_AS_STRING(args[3]);
    Py_ssize_t open_len = PyBytes_GET_SIZE(args[2]), close_len = PyBytes_GET_SIZE(args[3]);
    if (n > C14N_LARGEST || open_len == 0 || close_len == 0)
        Py_RETURN_NONE;

    Py_ssize_t names[C14N_DEPTH], lengths[C14N_DEPTH]; /* the open elements' names */
    int depth = 0, holder_open = 0, holder_seen = 0;
    Py_ssize_t sig_start = -1, sig_end = -1, root_end = -1;
    Py_ssize_t pos = lit(s, n, 0, BOM, 3) ? 3 : 0;
    pos = declaration(s, n, pos);
    if (pos < 0)
        Py_RETURN_NONE;
    pos = skip_ws(s, n, pos); /* the prolog and the epilog are not in the canonical form */
    Py_ssize_t root_start = pos;
    if (pos >= n || s[pos] != '<')
        Py_RETURN_NONE;
    while (pos < n) {
        unsigned char c = s[pos];
        if (c == '<') {
            if (pos + 1 < n && s[pos + 1] == '/') {
                Py_ssize_t end = c14n_name(s, n, pos + 2);
                if (end < 0 || end >= n || s[end] != '>' || depth == 0)
                    Py_RETURN_NONE;
                Py_ssize_t len = end - (pos + 2);
                depth--;
                if (len != lengths[depth] || memcmp(s + pos + 2, s + names[depth], (size_t)len) != 0)
                    Py_RETURN_NONE;
                if (depth == 1)
                    holder_open = 0;
                pos = end + 1;
                if (depth == 0) {
                    root_end = pos;
                    break;
                }
                continue;
            }
            if (depth == 2 && holder_open && sig_start < 0 && lit(s, n, pos, sig_open, open_len)) {
                sig_start = pos;
                sig_end = find_bytes(s, pos, n, sig_close, close_len, 1);
                if (sig_end < 0)
                    Py_RETURN_NONE;
                sig_end += close_len;
                for (Py_ssize_t at = pos; at < sig_end;) {
                    if (c14n_text[s[at]]) {
                        at = plain_run(s, sig_end, at);
                        continue;
                    }
                    int k = s[at] == '<' || s[at] == '>' ? 1 : s[at] == '&' ? 0 : xml_char(s, sig_end, at);
                    if (k == 0)
                        Py_RETURN_NONE;
                    at += k;
                }
                pos = sig_end;
                continue;
            }
            Py_ssize_t end = c14n_name(s, n, pos + 1);
            if (end < 0 || end >= n || s[end] != '>' || depth == C14N_DEPTH)
                Py_RETURN_NONE;
            Py_ssize_t len = end - (pos + 1);
            if (depth == 1 && !holder_seen && len == holder_len && memcmp(s + pos + 1, holder, (size_t)len) == 0)
                holder_seen = holder_open = 1;
            names[depth] = pos + 1;
            lengths[depth] = len;
            depth++;
            pos = end + 1;
        } else if (c == '&') {
            if (lit(s, n, pos, "&amp;", 5))
                pos += 5;
            else if (lit(s, n, pos, "&lt;", 4) || lit(s, n, pos, "&gt;", 4))
                pos += 4;
            else
                Py_RETURN_NONE;
        } else if (c == '>' || depth == 0) {
            Py_RETURN_NONE;
        } else if (c14n_text[c]) {
            pos = plain_run(s, n, pos); /* most of a document: its base64 contents */
        } else {
            int k = xml_char(s, n, pos);
            if (k == 0)
                Py_RETURN_NONE;
            pos += k;
        }
    }
    if (root_end < 0 || sig_start < 0 || skip_ws(s, n, root_end) != n)
        Py_RETURN_NONE;
    return Py_BuildValue("(nnnn)", root_start, root_end, sig_start, sig_end);
}
