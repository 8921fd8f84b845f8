/* The scanner over the UTF-8 bytes of a document: included once by _cscan.c. Every function
 * returns "decline" rather than guess.
 *
 * Markup is ASCII and read as bytes; a value's bytes become a str by the strict UTF-8 decoder
 * when the value is read, so lengths are counted in characters and white space is str.isspace, as
 * in Python. A byte sequence that is not UTF-8 fails that decoder (in a value, or in the text of
 * a record it declines): the document is then declined as a whole, as the Python scanner, which
 * decodes it first, declines it. */

/* memcmp(x, y, len) == 0 for the short runs compared per field (a separator, a last value):
 * inline, eight bytes at a time, the last eight overlapping, rather than a call. */
Py_LOCAL_INLINE(int)
same_bytes(const unsigned char *x, const unsigned char *y, Py_ssize_t len)
{
    uint64_t u, v;
    if (len < 8) {
        for (Py_ssize_t i = 0; i < len; i++)
            if (x[i] != y[i])
                return 0;
        return 1;
    }
    for (Py_ssize_t i = 0; i + 8 < len; i += 8) {
        memcpy(&u, x + i, 8);
        memcpy(&v, y + i, 8);
        if (u != v)
            return 0;
    }
    memcpy(&u, x + len - 8, 8);
    memcpy(&v, y + len - 8, 8);
    return u == v;
}

/* The ASCII literal `lit` at s[pos]. */
Py_LOCAL_INLINE(int)
lit(const unsigned char *s, Py_ssize_t n, Py_ssize_t pos, const char *lit, Py_ssize_t len)
{
    return pos >= 0 && len <= n - pos && same_bytes(s + pos, (const unsigned char *)lit, len);
}

/* The code point of the 1- to 3-byte UTF-8 sequence at s[i] (before b), as the strict decoder
 * reads it, its length in *len; -1 for any other bytes (4-byte sequences, overlong forms,
 * surrogates, stray or missing continuation bytes), which are left to the decoder. */
Py_LOCAL_INLINE(int32_t)
bmp_char(const unsigned char *s, Py_ssize_t i, Py_ssize_t b, int *len)
{
    unsigned char c = s[i];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if (b - i < 2 || (s[i + 1] & 0xC0) != 0x80)
            return -1;
        *len = 2;
        return (int32_t)(c & 0x1F) << 6 | (s[i + 1] & 0x3F);
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (b - i < 3 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80)
            return -1;
        int32_t cp = (int32_t)(c & 0x0F) << 12 | (int32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
            return -1;
        *len = 3;
        return cp;
    }
    return -1;
}

/* s[a..b) as a str when all its characters are in U+0000..U+FFFF: 1 with *out, 0 for the decoder
 * to read (see bmp_char), -1 on error. The general decoder cost ~1,300 instructions a value of
 * Vietnamese text; this reads it twice (its length and widest character, then the str made the
 * width that character needs, as every str is). */
static int
decode_bmp(const unsigned char *s, Py_ssize_t a, Py_ssize_t b, PyObject **out)
{
    Py_ssize_t chars = 0;
    int32_t widest = 0;
    int len = 1;
    for (Py_ssize_t i = a; i < b; i += len, chars++) {
        int32_t cp = bmp_char(s, i, b, &len);
        if (cp < 0)
            return 0;
        if (cp > widest)
            widest = cp;
    }
    PyObject *str = PyUnicode_New(chars, (Py_UCS4)widest);
    if (str == NULL)
        return -1;
    int kind = PyUnicode_KIND(str);
    void *data = PyUnicode_DATA(str);
    Py_ssize_t k = 0;
    for (Py_ssize_t i = a; i < b; i += len)
        PyUnicode_WRITE(kind, data, k++, (Py_UCS4)bmp_char(s, i, b, &len));
    *out = str;
    return 1;
}

/* s[a..b) as a str; NULL with no error set when it is not UTF-8. `high`: 0 when every byte is
 * ASCII (the str is then made without the decoder), 2 to try decode_bmp first. */
static PyObject *
text_of(const unsigned char *s, Py_ssize_t a, Py_ssize_t b, int high)
{
    if (high == 2) {
        /* A value: mostly Vietnamese, in the basic plane. */
        PyObject *str;
        int got = decode_bmp(s, a, b, &str);
        if (got)
            return got > 0 ? str : NULL;
    }
    if (!high) {
        PyObject *ascii = PyUnicode_New(b - a, 127);
        if (ascii != NULL)
            memcpy(PyUnicode_1BYTE_DATA(ascii), s + a, (size_t)(b - a));
        return ascii;
    }
    PyObject *str = PyUnicode_DecodeUTF8((const char *)s + a, b - a, NULL);
    if (str == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
        PyErr_Clear();
    return str;
}

/* The first (dir 1) or last (dir -1) `lit`, `len` bytes, in s[from..to): its position, or -1. */
static Py_ssize_t
find_bytes(const unsigned char *s, Py_ssize_t from, Py_ssize_t to, const char *lit, Py_ssize_t len, int dir)
{
    if (dir > 0) {
        for (Py_ssize_t at = from; at + len <= to; at++) {
            const unsigned char *hit = memchr(s + at, lit[0], (size_t)(to - len + 1 - at));
            if (hit == NULL)
                return -1;
            at = hit - s;
            if (memcmp(s + at, lit, (size_t)len) == 0)
                return at;
        }
        return -1;
    }
    for (Py_ssize_t at = to - len; at >= from; at--)
        if (s[at] == (unsigned char)lit[0] && memcmp(s + at, lit, (size_t)len) == 0)
            return at;
    return -1;
}

/* find_bytes for an ASCII str `tag` ("<x>" or "</x>"). */
static Py_ssize_t
find_tag(const unsigned char *s, Py_ssize_t from, Py_ssize_t to, PyObject *tag, int dir)
{
    return find_bytes(s, from, to, (const char *)PyUnicode_1BYTE_DATA(tag), PyUnicode_GET_LENGTH(tag), dir);
}

Py_LOCAL_INLINE(Py_ssize_t)
skip_ws(const unsigned char *s, Py_ssize_t n, Py_ssize_t pos)
{
    while (pos < n && is_ws(s[pos]))
        pos++;
    return pos;
}

/* `<tag>` at s[pos]: the position after it, or -1. */
Py_LOCAL_INLINE(Py_ssize_t)
open_tag(const unsigned char *s, Py_ssize_t n, Py_ssize_t pos, const char *tag, Py_ssize_t len)
{
    if (pos + len + 2 > n || s[pos] != '<' || !lit(s, n, pos + 1, tag, len) || s[pos + 1 + len] != '>')
        return -1;
    return pos + len + 2;
}

/* `</tag>` at s[pos]: the position after it, or -1. */
Py_LOCAL_INLINE(Py_ssize_t)
close_tag(const unsigned char *s, Py_ssize_t n, Py_ssize_t pos, const char *tag, Py_ssize_t len)
{
    if (pos + len + 3 > n || s[pos] != '<' || s[pos + 1] != '/' || !lit(s, n, pos + 2, tag, len) ||
        s[pos + 2 + len] != '>')
        return -1;
    return pos + len + 3;
}

/* ` name=q...q` of the declaration, one of `values`: the position after it, or -1 (the group is
 * optional: the caller then stays where it was). */
static Py_ssize_t
pseudo_attribute(const unsigned char *s, Py_ssize_t n, Py_ssize_t pos, const char *name, const char *const *values)
{
    Py_ssize_t at = pos;
    if (at >= n || !is_ws(s[at]))
        return -1;
    at = skip_ws(s, n, at);
    Py_ssize_t len = (Py_ssize_t)strlen(name);
    if (!lit(s, n, at, name, len) || at + len >= n)
        return -1;
    at += len;
    unsigned char quote = s[at];
    if (quote != '"' && quote != '\'')
        return -1;
    at++;
    for (; *values != NULL; values++) {
        Py_ssize_t vlen = (Py_ssize_t)strlen(*values);
        if (lit(s, n, at, *values, vlen) && at + vlen < n && s[at + vlen] == quote)
            return at + vlen + 1;
    }
    return -1;
}

/* The optional XML declaration at s[pos] (scan.py's _HEAD, envelope.py's _DECLARATION): the
 * position after it, or -1 when one starts there but is not read here. */
static Py_ssize_t
declaration(const unsigned char *s, Py_ssize_t n, Py_ssize_t pos)
{
    static const char *const version[] = {"1.0", NULL};
    static const char *const encoding[] = {"utf-8", "UTF-8", NULL};
    static const char *const standalone[] = {"yes", "no", NULL};
    if (!lit(s, n, pos, "<?xml", 5))
        return pos;
    Py_ssize_t at = pseudo_attribute(s, n, pos + 5, "version=", version);
    if (at < 0)
        return -1;
    Py_ssize_t next = pseudo_attribute(s, n, at, "encoding=", encoding);
    if (next >= 0)
        at = next;
    next = pseudo_attribute(s, n, at, "standalone=", standalone);
    if (next >= 0)
        at = next;
    at = skip_ws(s, n, at);
    return lit(s, n, at, "?>", 2) ? at + 2 : -1;
}

/* scan.py's _HEAD, the root tag and (for list tables) the list tag with the white space after it:
 * the position after them, or -1. */
static Py_ssize_t
head(const Spec *spec, const unsigned char *s, Py_ssize_t n)
{
    Py_ssize_t pos = declaration(s, n, lit(s, n, 0, BOM, 3) ? 3 : 0);
    if (pos < 0)
        return -1;
    pos = open_tag(s, n, skip_ws(s, n, pos), spec->root, spec->root_len);
    if (pos < 0 || !spec->list_len)
        return pos;
    pos = open_tag(s, n, skip_ws(s, n, pos), spec->list, spec->list_len);
    return pos < 0 ? -1 : skip_ws(s, n, pos);
}

/* The ASCII digits s[a..a+len) as a number, or -1. */
static int
number(const unsigned char *s, Py_ssize_t a, Py_ssize_t len)
{
    int v = 0;
    for (Py_ssize_t i = a; i < a + len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (int)(s[i] - '0');
    }
    return v;
}

/* yyyymmdd at s[a]; `birth`: mmdd 0000 stands for an unknown date (formats.valid_time12). */
static int
date8(const unsigned char *s, Py_ssize_t a, int birth)
{
    int year = number(s, a, 4), month = number(s, a + 4, 2), day = number(s, a + 6, 2);
    if (year < 0 || month < 0 || day < 0)
        return 0;
    if (birth && month == 0 && day == 0)
        return 1;
    return valid_ymd(year, month, day);
}

/* yyyymmddHHMM at s[a]. */
static int
time12(const unsigned char *s, Py_ssize_t a, int birth)
{
    int hour = number(s, a + 8, 2), minute = number(s, a + 10, 2);
    return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && date8(s, a, birth);
}

/* -?[0-9]+(\.[0-9]+)? with at most `places` decimals (-1: any; 0: no fraction). */
static int
decimal(const unsigned char *s, Py_ssize_t a, Py_ssize_t b, int places)
{
    if (a < b && s[a] == '-')
        a++;
    Py_ssize_t start = a;
    while (a < b && s[a] >= '0' && s[a] <= '9')
        a++;
    if (a == start)
        return 0;
    if (a == b)
        return 1;
    if (s[a] != '.' || places == 0)
        return 0;
    start = ++a;
    while (a < b && s[a] >= '0' && s[a] <= '9')
        a++;
    return a == b && a > start && (places < 0 || a - start <= places);
}

/* Whether the non-empty value s[a..b) (its str `value`) keeps the field's rules: 1 yes, 0 not
 * sure. Its characters were checked while reading it. The formats below are ASCII: a value with
 * other characters fails them on its bytes. */
static int
value_ok(const Field *f, const unsigned char *s, Py_ssize_t a, Py_ssize_t b, PyObject *value)
{
    Py_ssize_t len = b - a, chars = PyUnicode_GET_LENGTH(value);
    if (chars > f->max_length || Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(value, 0)) ||
        Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(value, chars - 1)))
        return 0;
    switch (f->kind) {
    case K_FREE:
        return 1;
    case K_CODES: {
        int found = PySet_Contains(f->codes, value);
        if (found < 0) {
            PyErr_Clear();
            return 0;
        }
        return found;
    }
    case K_NUMBER:
        return decimal(s, a, b, f->places);
    case K_DATE8:
        return len == 8 && date8(s, a, 0);
    case K_DT12:
        return len == 12 && time12(s, a, 0);
    case K_BIRTH12:
        return len == 12 && time12(s, a, 1);
    case K_DT12OR8:
        return (len == 12 && time12(s, a, 0)) || (len == 8 && date8(s, a, 0));
    case K_DATE8LIST:
        for (Py_ssize_t at = a;; at += 9) {
            if (b - at < 8 || !date8(s, at, 0))
                return 0;
            if (b - at == 8)
                return 1;
            if (s[at + 8] != ';')
                return 0;
        }
    case K_CHECK: {
        /* The format's pattern first (a match keeps the rules), then the check's own memo (the
         * answer it gave this value before), then the check itself, which fills the memo. */
        if (f->pattern != NULL) {
            PyObject *match = PyObject_CallOneArg(f->pattern, value);
            if (match == NULL) {
                PyErr_Clear();
                return 0;
            }
            Py_DECREF(match);
            if (match != Py_None)
                return 1;
        }
        if (f->memo != NULL) {
            PyObject *known = PyDict_GetItemWithError(f->memo, value); /* borrowed */
            if (known != NULL)
                return known == Py_None;
            if (PyErr_Occurred()) {
                PyErr_Clear();
                return 0;
            }
        }
        PyObject *problem = PyObject_CallOneArg(f->check, value);
        if (problem == NULL) {
            PyErr_Clear();
            return 0;
        }
        Py_DECREF(problem);
        return problem == Py_None;
    }
    default:
        return 0;
    }
}

/* Per scan() call: what read_record gathers of one record (nfields of each). */
typedef struct {
    unsigned char *seen;
    Field **order;      /* the record's fields in document order */
    PyObject **values;  /* their values (new references) */
} Scratch;

static void
release(PyObject **values, Py_ssize_t count)
{
    for (Py_ssize_t k = 0; k < count; k++)
        Py_DECREF(values[k]);
}

/* A record with more than 1/REFRESH of its values unlike its shape's becomes the shape (values
 * change from document to document: following them costs a copy, saves settings). */
#define REFRESH 2

/* `record` (returned) also the shape of the records after it: a copy of its dict and its pairs. */
static PyObject *
keep_shape(Spec *spec, PyObject *record, Field **order, PyObject **values, Py_ssize_t count)
{
    Py_ssize_t k;
    PyObject *copy = PyDict_Copy(record), *pairs = PyTuple_New(2 * count);
    if (copy == NULL || pairs == NULL) {
        Py_XDECREF(copy);
        Py_XDECREF(pairs);
        Py_DECREF(record);
        return NULL;
    }
    for (k = 0; k < count; k++) {
        Py_INCREF(order[k]->name);
        PyTuple_SET_ITEM(pairs, 2 * k, order[k]->name);
        Py_INCREF(values[k]);
        PyTuple_SET_ITEM(pairs, 2 * k + 1, values[k]);
    }
    PyObject *old_shape = spec->shape, *old_items = spec->shape_items;
    spec->shape = copy;
    spec->shape_items = pairs;
    Py_XDECREF(old_shape);
    Py_XDECREF(old_items);
    return record;
}

/* A new dict, the fields in document order, as the Python scanner builds it. Records of a table
 * list the same fields in the same order, and many values repeat (the same str: empty fields,
 * MA_LK, dates, codes): a record of the last shape is a copy of the shape's dict (keys table
 * copied in one block) with only the values that differ set, each a lookup that hits at once,
 * rather than every field inserted anew. The shape's dict is the spec's own and never handed
 * out, so its values are those of shape_items. */
static PyObject *
build_record(Spec *spec, Field **order, PyObject **values, Py_ssize_t count)
{
    PyObject *shape = spec->shape, *items = spec->shape_items;
    Py_ssize_t k = 0;
    if (shape != NULL && PyTuple_GET_SIZE(items) == 2 * count)
        while (k < count && PyTuple_GET_ITEM(items, 2 * k) == order[k]->name)
            k++;
    if (shape != NULL && k == count) {
        /* Copying may collect garbage and so run any code, even a scan() that replaces the
         * shape: these references keep this one alive. */
        Py_INCREF(shape);
        Py_INCREF(items);
        PyObject *record = PyDict_Copy(shape);
        Py_ssize_t differ = 0;
        for (k = 0; record != NULL && k < count; k++) {
            if (values[k] == PyTuple_GET_ITEM(items, 2 * k + 1))
                continue;
            differ++;
            if (PyDict_SetItem(record, order[k]->name, values[k]) < 0)
                Py_CLEAR(record);
        }
        Py_DECREF(shape);
        Py_DECREF(items);
        if (record == NULL || differ * REFRESH <= count)
            return record;
        return keep_shape(spec, record, order, values, count);
    }
    PyObject *record = PyDict_New();
    for (k = 0; record != NULL && k < count; k++)
        if (PyDict_SetItem(record, order[k]->name, values[k]) < 0)
            Py_CLEAR(record);
    if (record == NULL)
        return NULL;
    return keep_shape(spec, record, order, values, count);
}


/* The fields of one record from s[pos]: 1 with *out a new dict and *stop at the `</` that ends
 * them, 0 when not sure (malformed, unknown or repeated tag, entity, a rule broken...), -1 on
 * error. The values are gathered first and the dict built at the end (build_record). s[n] must
 * be NUL, as in a bytes object. */
static int
read_record(Spec *spec, const unsigned char *s, Py_ssize_t n, Py_ssize_t pos, Py_ssize_t *stop,
           PyObject **out, Scratch *scratch)
{
    unsigned char *seen = scratch->seen;
    Field **order = scratch->order;
    PyObject **values = scratch->values;
    Py_ssize_t count = 0; /* values[0..count) hold references */
    memset(seen, 0, (size_t)spec->nfields);
    Py_ssize_t required = 0;
    Py_ssize_t next = 0; /* the field after the last one read: records list their fields in order */
    Field *ahead = NULL; /* that field, its tag already read through its learnt separator */
    Field *prev = NULL;  /* the field whose `</tag>` starts at prev_end (NULL: none) */
    Py_ssize_t prev_end = 0;
    for (;;) {
        Field *f = NULL;
        Py_ssize_t index = 0;
        unsigned char c;
        if (ahead != NULL) {
            f = ahead;
            index = next;
            ahead = NULL;
        } else {
            pos = skip_ws(s, n, pos);
            if (pos + 1 >= n || s[pos] != '<')
                goto decline;
            if (s[pos + 1] == '/')
                break;
            Py_ssize_t tag = ++pos;
            if (next < spec->nfields) {
                /* The expected field: its name, then a byte that cannot continue a name. */
                Field *g = &spec->fields[next];
                if (lit(s, n, tag, g->cname, g->nlen) && (tag + g->nlen == n || !name_char(s[tag + g->nlen]))) {
                    f = g;
                    index = next;
                    pos = tag + g->nlen;
                    /* What separates it from the field before it (prev, index next - 1): learnt
                     * for the next record. */
                    if (prev != NULL && pos - prev_end <= SEP_MAX) {
                        prev->sep_len = pos - prev_end;
                        memcpy(prev->sep, s + prev_end, (size_t)prev->sep_len);
                    }
                }
            }
            if (f == NULL) {
                size_t h = 5381;
                c = s[pos];
                if (!((c >= 'A' && c <= 'Z') || c == '_'))
                    goto decline;
                while (pos < n && name_char(c = s[pos])) {
                    h = hash_step(h, c);
                    pos++;
                }
                Py_ssize_t tag_len = pos - tag;
                for (size_t at = h & spec->mask;; at = (at + 1) & spec->mask) {
                    int32_t slot = spec->slots[at];
                    if (slot == 0)
                        goto decline; /* not a field of the table: TAG-01 is the plan's to say */
                    Field *g = &spec->fields[slot - 1];
                    if (g->nlen == tag_len && lit(s, n, tag, g->cname, tag_len)) {
                        f = g;
                        index = slot - 1;
                        break;
                    }
                }
            }
        }
        prev = NULL;
        Py_ssize_t tag_len = f->nlen;
        next = index + 1;
        if (seen[index])
            goto decline;
        seen[index] = 1;
        if (pos >= n)
            goto decline;
        PyObject *value;
        if (s[pos] == '>') {
            Py_ssize_t a = ++pos;
            /* Up to the next '<'; markup, entities, control characters, CR and the non-characters
             * U+FFFE/U+FFFF (EF BF BE/BF) in a value go to the parser. */
            int high = 0;
            /* No bound in the loop: s[n] is the NUL every bytes object ends with, a SPECIAL. */
            for (;;) {
                unsigned char k;
                while ((k = special[s[pos]]) == PLAIN)
                    pos++;
                if (k == SPECIAL)
                    break;
                if (s[pos] == 0xEF && pos + 2 < n && s[pos + 1] == 0xBF && (s[pos + 2] | 1) == 0xBF)
                    goto decline;
                high = 1;
                pos++;
            }
            if (pos >= n || s[pos] != '<')
                goto decline;
            Py_ssize_t b = pos;
            Py_ssize_t sep_len = f->sep_len;
            if (sep_len && sep_len < n - b && same_bytes(s + b, f->sep, sep_len) &&
                !name_char(s[b + sep_len])) {
                /* `</tag>`, white space and the next field's name, as learnt. */
                ahead = &spec->fields[next];
                pos = b + sep_len;
            } else {
                if (close_tag(s, n, pos, f->cname, f->nlen) < 0)
                    goto decline;
                pos += tag_len + 3;
                prev = f;
                prev_end = b;
            }
            if (a == b) {
                value = empty_str;
                Py_INCREF(value);
            } else if (f->last != NULL && b - a == f->last_len && same_bytes(s + a, f->last_bytes, b - a)) {
                /* The field's last value again (bytes equal): the same str, and it kept the rules. */
                value = f->last;
                Py_INCREF(value);
                required += f->required;
            } else {
                value = text_of(s, a, b, high ? 2 : 0);
                if (value == NULL) {
                    if (PyErr_Occurred())
                        goto error;
                    goto decline; /* not UTF-8: so is the record's text, which declines the document */
                }
                if (!value_ok(f, s, a, b, value)) {
                    Py_DECREF(value);
                    goto decline;
                }
                if (b - a <= LAST_MAX) {
                    Py_INCREF(value);
                    Py_XSETREF(f->last, value);
                    memcpy(f->last_bytes, s + a, (size_t)(b - a));
                    f->last_len = b - a;
                }
                required += f->required;
            }
        } else {
            pos = skip_ws(s, n, pos);
            if (!lit(s, n, pos, "/>", 2))
                goto decline;
            pos += 2;
            value = empty_str;
            Py_INCREF(value);
        }
        order[count] = f; /* count < nfields: `seen` lets each field in once */
        values[count++] = value;
    }
    if (required != spec->nrequired)
        goto decline; /* a required field missing or empty */
    PyObject *record = build_record(spec, order, values, count);
    release(values, count);
    if (record == NULL)
        return -1;
    *stop = pos;
    *out = record;
    return 1;
decline:
    release(values, count);
    return 0;
error:
    release(values, count);
    return -1;
}

/* Note(body, version, True) for an accepted record. */
static PyObject *
new_note(const Spec *spec, PyObject *body)
{
    PyObject *note = spec->note_type->tp_alloc(spec->note_type, 3);
    if (note == NULL)
        return NULL;
    Py_INCREF(body);
    PyTuple_SET_ITEM(note, 0, body);
    Py_INCREF(spec->version);
    PyTuple_SET_ITEM(note, 1, spec->version);
    Py_INCREF(Py_True);
    PyTuple_SET_ITEM(note, 2, Py_True);
    return note;
}

/* Append one record (accepted: its dict and note; not sure: None and its text): 0, or 1 when its
 * text is not UTF-8 (the document is declined), -1 on error. */
static int
add_record(const Spec *spec, PyObject *rows, PyObject *notes, const unsigned char *s, Py_ssize_t a,
           Py_ssize_t b, PyObject *record)
{
    /* An accepted record's text is kept as bytes (valid UTF-8: its values were decoded) and
     * decoded only if asked for (Note.text); the grammar reads a declined one's. */
    PyObject *body =
        record != NULL ? PyBytes_FromStringAndSize((const char *)s + a, b - a) : text_of(s, a, b, 1);
    if (body == NULL)
        return PyErr_Occurred() ? -1 : 1;
    PyObject *note = body;
    if (record != NULL) {
        note = new_note(spec, body);
        Py_DECREF(body);
        if (note == NULL)
            return -1;
    }
    int failed = PyList_Append(rows, record != NULL ? record : Py_None) || PyList_Append(notes, note);
    Py_DECREF(note);
    return failed ? -1 : 0;
}

/* The whole document (s[n] NUL): (rows, notes), None when its shape is not sure, NULL on error. */
static PyObject *
read_table(Spec *spec, const unsigned char *s, Py_ssize_t n, Scratch *scratch)
{
    Py_ssize_t pos = head(spec, s, n);
    if (pos < 0)
        Py_RETURN_NONE;
    PyObject *rows = PyList_New(0), *notes = PyList_New(0), *record = NULL;
    if (rows == NULL || notes == NULL)
        goto error;
    if (!spec->list_len) {
        /* One record: its fields sit under the root, closed by the last </root>. */
        Py_ssize_t stop, end = -1;
        int got = read_record(spec, s, n, pos, &stop, &record, scratch);
        if (got < 0)
            goto error;
        if (got) {
            end = close_tag(s, n, stop, spec->root, spec->root_len);
            if (end < 0 || skip_ws(s, n, end) != n)
                Py_CLEAR(record);
        }
        if (record == NULL) {
            stop = find_tag(s, pos, n, spec->close_str, -1);
            if (stop < 0 || skip_ws(s, n, stop + spec->root_len + 3) != n)
                goto none;
        }
        int added = add_record(spec, rows, notes, s, pos, stop, record);
        if (added < 0)
            goto error;
        if (added > 0)
            goto none;
        Py_CLEAR(record);
        goto done;
    }
    Py_ssize_t open_len = spec->record_len + 2, close_len = spec->record_len + 3;
    if (open_tag(s, n, pos, spec->record, spec->record_len) < 0)
        goto none; /* no record, or something else first */
    for (;;) {
        pos += open_len;
        Py_ssize_t stop;
        int got = read_record(spec, s, n, pos, &stop, &record, scratch);
        if (got < 0)
            goto error;
        if (got && close_tag(s, n, stop, spec->record, spec->record_len) < 0)
            Py_CLEAR(record);
        if (record == NULL) {
            /* As scan.py: the text up to the first </record>, with no <record> before it. */
            stop = find_tag(s, pos, n, spec->close_str, 1);
            if (stop < 0)
                goto none;
            Py_ssize_t reopen = find_tag(s, pos, stop, spec->open_str, 1);
            if (reopen >= 0)
                goto none;
        }
        int added = add_record(spec, rows, notes, s, pos, stop, record);
        if (added < 0)
            goto error;
        if (added > 0)
            goto none;
        Py_CLEAR(record);
        pos = skip_ws(s, n, stop + close_len);
        if (open_tag(s, n, pos, spec->record, spec->record_len) >= 0)
            continue;
        pos = close_tag(s, n, pos, spec->list, spec->list_len);
        if (pos < 0)
            goto none;
        pos = close_tag(s, n, skip_ws(s, n, pos), spec->root, spec->root_len);
        if (pos < 0 || skip_ws(s, n, pos) != n)
            goto none;
        break;
    }
done: {
    PyObject *result = PyTuple_Pack(2, rows, notes);
    Py_DECREF(rows);
    Py_DECREF(notes);
    return result;
}
none:
    Py_DECREF(rows);
    Py_DECREF(notes);
    Py_RETURN_NONE;
error:
    Py_XDECREF(rows);
    Py_XDECREF(notes);
    Py_XDECREF(record);
    return NULL;
}
