/* The scanner over one character width: included by _cscan.c with CH (the character type) and
 * FN (the name suffix) defined. Every function returns "decline" rather than guess. */

/* The ASCII literal `lit` at s[pos]. */
Py_LOCAL_INLINE(int)
FN(lit)(const CH *s, Py_ssize_t n, Py_ssize_t pos, const char *lit, Py_ssize_t len)
{
    if (pos < 0 || len > n - pos)
        return 0;
    for (Py_ssize_t i = 0; i < len; i++)
        if (s[pos + i] != (CH)(unsigned char)lit[i])
            return 0;
    return 1;
}

Py_LOCAL_INLINE(Py_ssize_t)
FN(skip_ws)(const CH *s, Py_ssize_t n, Py_ssize_t pos)
{
    while (pos < n && is_ws(s[pos]))
        pos++;
    return pos;
}

/* `<tag>` at s[pos]: the position after it, or -1. */
Py_LOCAL_INLINE(Py_ssize_t)
FN(open_tag)(const CH *s, Py_ssize_t n, Py_ssize_t pos, const char *tag, Py_ssize_t len)
{
    if (pos + len + 2 > n || s[pos] != '<' || !FN(lit)(s, n, pos + 1, tag, len) || s[pos + 1 + len] != '>')
        return -1;
    return pos + len + 2;
}

/* `</tag>` at s[pos]: the position after it, or -1. */
Py_LOCAL_INLINE(Py_ssize_t)
FN(close_tag)(const CH *s, Py_ssize_t n, Py_ssize_t pos, const char *tag, Py_ssize_t len)
{
    if (pos + len + 3 > n || s[pos] != '<' || s[pos + 1] != '/' || !FN(lit)(s, n, pos + 2, tag, len) ||
        s[pos + 2 + len] != '>')
        return -1;
    return pos + len + 3;
}

/* ` name=q...q` of the declaration, one of `values`: the position after it, or -1 (the group is
 * optional: the caller then stays where it was). */
static Py_ssize_t
FN(pseudo_attribute)(const CH *s, Py_ssize_t n, Py_ssize_t pos, const char *name, const char *const *values)
{
    Py_ssize_t at = pos;
    if (at >= n || !is_ws(s[at]))
        return -1;
    at = FN(skip_ws)(s, n, at);
    Py_ssize_t len = (Py_ssize_t)strlen(name);
    if (!FN(lit)(s, n, at, name, len) || at + len >= n)
        return -1;
    at += len;
    CH quote = s[at];
    if (quote != '"' && quote != '\'')
        return -1;
    at++;
    for (; *values != NULL; values++) {
        Py_ssize_t vlen = (Py_ssize_t)strlen(*values);
        if (FN(lit)(s, n, at, *values, vlen) && at + vlen < n && s[at + vlen] == quote)
            return at + vlen + 1;
    }
    return -1;
}

/* The optional XML declaration at s[pos] (scan.py's _HEAD, envelope.py's _DECLARATION): the
 * position after it, or -1 when one starts there but is not read here. */
static Py_ssize_t
FN(declaration)(const CH *s, Py_ssize_t n, Py_ssize_t pos)
{
    static const char *const version[] = {"1.0", NULL};
    static const char *const encoding[] = {"utf-8", "UTF-8", NULL};
    static const char *const standalone[] = {"yes", "no", NULL};
    if (!FN(lit)(s, n, pos, "<?xml", 5))
        return pos;
    Py_ssize_t at = FN(pseudo_attribute)(s, n, pos + 5, "version=", version);
    if (at < 0)
        return -1;
    Py_ssize_t next = FN(pseudo_attribute)(s, n, at, "encoding=", encoding);
    if (next >= 0)
        at = next;
    next = FN(pseudo_attribute)(s, n, at, "standalone=", standalone);
    if (next >= 0)
        at = next;
    at = FN(skip_ws)(s, n, at);
    return FN(lit)(s, n, at, "?>", 2) ? at + 2 : -1;
}

/* scan.py's _HEAD, the root tag and (for list tables) the list tag with the white space after it:
 * the position after them, or -1. */
static Py_ssize_t
FN(head)(const Spec *spec, const CH *s, Py_ssize_t n)
{
    Py_ssize_t pos = FN(declaration)(s, n, n > 0 && is_bom(s[0]) ? 1 : 0);
    if (pos < 0)
        return -1;
    pos = FN(open_tag)(s, n, FN(skip_ws)(s, n, pos), spec->root, spec->root_len);
    if (pos < 0 || !spec->list_len)
        return pos;
    pos = FN(open_tag)(s, n, FN(skip_ws)(s, n, pos), spec->list, spec->list_len);
    return pos < 0 ? -1 : FN(skip_ws)(s, n, pos);
}

/* The ASCII digits s[a..a+len) as a number, or -1. */
static int
FN(number)(const CH *s, Py_ssize_t a, Py_ssize_t len)
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
FN(date8)(const CH *s, Py_ssize_t a, int birth)
{
    int year = FN(number)(s, a, 4), month = FN(number)(s, a + 4, 2), day = FN(number)(s, a + 6, 2);
    if (year < 0 || month < 0 || day < 0)
        return 0;
    if (birth && month == 0 && day == 0)
        return 1;
    return valid_ymd(year, month, day);
}

/* yyyymmddHHMM at s[a]. */
static int
FN(time12)(const CH *s, Py_ssize_t a, int birth)
{
    int hour = FN(number)(s, a + 8, 2), minute = FN(number)(s, a + 10, 2);
    return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && FN(date8)(s, a, birth);
}

/* -?[0-9]+(\.[0-9]+)? with at most `places` decimals (-1: any; 0: no fraction). */
static int
FN(decimal)(const CH *s, Py_ssize_t a, Py_ssize_t b, int places)
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

/* Whether the non-empty value s[a..b) (its object `value`) keeps the field's rules: 1 yes, 0 not
 * sure. Its characters were checked while reading it. */
static int
FN(value_ok)(const Field *f, const CH *s, Py_ssize_t a, Py_ssize_t b, PyObject *value)
{
    Py_ssize_t len = b - a;
    if (len > f->max_length || Py_UNICODE_ISSPACE(s[a]) || Py_UNICODE_ISSPACE(s[b - 1]))
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
        return FN(decimal)(s, a, b, f->places);
    case K_DATE8:
        return len == 8 && FN(date8)(s, a, 0);
    case K_DT12:
        return len == 12 && FN(time12)(s, a, 0);
    case K_BIRTH12:
        return len == 12 && FN(time12)(s, a, 1);
    case K_DT12OR8:
        return (len == 12 && FN(time12)(s, a, 0)) || (len == 8 && FN(date8)(s, a, 0));
    case K_DATE8LIST:
        for (Py_ssize_t at = a;; at += 9) {
            if (b - at < 8 || !FN(date8)(s, at, 0))
                return 0;
            if (b - at == 8)
                return 1;
            if (s[at + 8] != ';')
                return 0;
        }
    case K_CHECK: {
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

/* The fields of one record from s[pos]: 1 with *out a new dict and *stop at the `</` that ends
 * them, 0 when not sure (malformed, unknown or repeated tag, entity, a rule broken...), -1 on
 * error. */
static int
FN(record)(const Spec *spec, PyObject *text, const CH *s, Py_ssize_t n, Py_ssize_t pos, Py_ssize_t *stop,
           PyObject **out, unsigned char *seen)
{
    memset(seen, 0, (size_t)spec->nfields);
    Py_ssize_t required = 0;
    PyObject *record = PyDict_New();
    if (record == NULL)
        return -1;
    for (;;) {
        pos = FN(skip_ws)(s, n, pos);
        if (pos + 1 >= n || s[pos] != '<')
            goto decline;
        if (s[pos + 1] == '/')
            break;
        Py_ssize_t tag = ++pos;
        size_t h = 5381;
        CH c = s[pos];
        if (!((c >= 'A' && c <= 'Z') || c == '_'))
            goto decline;
        while (pos < n && (((c = s[pos]) >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
            h = hash_step(h, c);
            pos++;
        }
        Py_ssize_t tag_len = pos - tag;
        const Field *f = NULL;
        Py_ssize_t index = 0;
        for (size_t at = h & spec->mask;; at = (at + 1) & spec->mask) {
            int32_t slot = spec->slots[at];
            if (slot == 0)
                goto decline; /* not a field of the table: TAG-01 is the plan's to say */
            const Field *g = &spec->fields[slot - 1];
            if (g->nlen == tag_len && FN(lit)(s, n, tag, g->cname, tag_len)) {
                f = g;
                index = slot - 1;
                break;
            }
        }
        if (seen[index])
            goto decline;
        seen[index] = 1;
        if (pos >= n)
            goto decline;
        PyObject *value;
        if (s[pos] == '>') {
            Py_ssize_t a = ++pos;
            /* Up to the next '<'; markup, entities, control characters, CR and the non-characters
             * U+FFFE/U+FFFF in a value go to the parser. */
            while (pos < n && !ends_value(c = s[pos]))
                pos++;
            if (pos >= n || c != '<')
                goto decline;
            Py_ssize_t b = pos;
            if (FN(close_tag)(s, n, pos, f->cname, f->nlen) < 0)
                goto decline;
            pos += tag_len + 3;
            if (a == b) {
                value = empty_str;
                Py_INCREF(value);
            } else {
                value = PyUnicode_Substring(text, a, b);
                if (value == NULL)
                    goto error;
                if (!FN(value_ok)(f, s, a, b, value)) {
                    Py_DECREF(value);
                    goto decline;
                }
                required += f->required;
            }
        } else {
            pos = FN(skip_ws)(s, n, pos);
            if (!FN(lit)(s, n, pos, "/>", 2))
                goto decline;
            pos += 2;
            value = empty_str;
            Py_INCREF(value);
        }
        int failed = PyDict_SetItem(record, f->name, value);
        Py_DECREF(value);
        if (failed)
            goto error;
    }
    if (required != spec->nrequired)
        goto decline; /* a required field missing or empty */
    *stop = pos;
    *out = record;
    return 1;
decline:
    Py_DECREF(record);
    return 0;
error:
    Py_DECREF(record);
    return -1;
}

/* Note(text, version, True) for an accepted record. */
static PyObject *
FN(note)(const Spec *spec, PyObject *body)
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

/* Append one record (accepted: its dict and note; not sure: None and its text). */
static int
FN(add)(const Spec *spec, PyObject *rows, PyObject *notes, PyObject *text, Py_ssize_t a, Py_ssize_t b,
        PyObject *record)
{
    PyObject *body = PyUnicode_Substring(text, a, b);
    if (body == NULL)
        return -1;
    PyObject *note = body;
    if (record != NULL) {
        note = FN(note)(spec, body);
        Py_DECREF(body);
        if (note == NULL)
            return -1;
    }
    int failed = PyList_Append(rows, record != NULL ? record : Py_None) || PyList_Append(notes, note);
    Py_DECREF(note);
    return failed ? -1 : 0;
}

/* The whole document: (rows, notes), None when its shape is not sure, NULL on error. */
static PyObject *
FN(table)(const Spec *spec, PyObject *text, const CH *s, Py_ssize_t n, unsigned char *seen)
{
    Py_ssize_t pos = FN(head)(spec, s, n);
    if (pos < 0)
        Py_RETURN_NONE;
    PyObject *rows = PyList_New(0), *notes = PyList_New(0), *record = NULL;
    if (rows == NULL || notes == NULL)
        goto error;
    if (!spec->list_len) {
        /* One record: its fields sit under the root, closed by the last </root>. */
        Py_ssize_t stop, end = -1;
        int got = FN(record)(spec, text, s, n, pos, &stop, &record, seen);
        if (got < 0)
            goto error;
        if (got) {
            end = FN(close_tag)(s, n, stop, spec->root, spec->root_len);
            if (end < 0 || FN(skip_ws)(s, n, end) != n)
                Py_CLEAR(record);
        }
        if (record == NULL) {
            stop = PyUnicode_Find(text, spec->close_str, pos, n, -1);
            if (stop == -2)
                goto error;
            if (stop < 0 || FN(skip_ws)(s, n, stop + spec->root_len + 3) != n)
                goto none;
        }
        if (FN(add)(spec, rows, notes, text, pos, stop, record) < 0)
            goto error;
        Py_CLEAR(record);
        goto done;
    }
    Py_ssize_t open_len = spec->record_len + 2, close_len = spec->record_len + 3;
    if (FN(open_tag)(s, n, pos, spec->record, spec->record_len) < 0)
        goto none; /* no record, or something else first */
    for (;;) {
        pos += open_len;
        Py_ssize_t stop;
        int got = FN(record)(spec, text, s, n, pos, &stop, &record, seen);
        if (got < 0)
            goto error;
        if (got && FN(close_tag)(s, n, stop, spec->record, spec->record_len) < 0)
            Py_CLEAR(record);
        if (record == NULL) {
            /* As scan.py: the text up to the first </record>, with no <record> before it. */
            stop = PyUnicode_Find(text, spec->close_str, pos, n, 1);
            if (stop == -2)
                goto error;
            if (stop < 0)
                goto none;
            Py_ssize_t reopen = PyUnicode_Find(text, spec->open_str, pos, stop, 1);
            if (reopen == -2)
                goto error;
            if (reopen >= 0)
                goto none;
        }
        if (FN(add)(spec, rows, notes, text, pos, stop, record) < 0)
            goto error;
        Py_CLEAR(record);
        pos = FN(skip_ws)(s, n, stop + close_len);
        if (FN(open_tag)(s, n, pos, spec->record, spec->record_len) >= 0)
            continue;
        pos = FN(close_tag)(s, n, pos, spec->list, spec->list_len);
        if (pos < 0)
            goto none;
        pos = FN(close_tag)(s, n, FN(skip_ws)(s, n, pos), spec->root, spec->root_len);
        if (pos < 0 || FN(skip_ws)(s, n, pos) != n)
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
