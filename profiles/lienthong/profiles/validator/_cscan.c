/* The compiled record scanner of the validator (see native.py for the Python side).
 *
 * scan(spec, data) reads one inner table document (XML1 ... XML15) in the strict XML subset that
 * scan.py documents and checks each record's fields against a TableSpec compiled from the field
 * plan of one (table, version). It is one-sided: a record it accepts has exactly the dict the
 * Python scanner builds and keeps every field rule of the plan; a record it is not sure of comes
 * back as its text (the caller runs the Python grammar on it), and a document whose shape it is
 * not sure of comes back as None (the caller runs the Python scanner on it).
 *
 * The parser runs over the document's UTF-8 bytes and decodes only the values and the records'
 * texts (_cscan_impl.h says how that keeps the Python scanner's answers); the envelope reader
 * below uses the same byte functions.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Bumped whenever the interface with native.py changes: a stale build is then not used. */
#define CSCAN_INTERFACE 4

#define LAST_MAX 48
#define SEP_MAX 96

enum {
    K_FREE,     /* free text: length only */
    K_CODES,    /* a code of the field's list (already filtered by the plan's checker) */
    K_NUMBER,   /* -?[0-9]+(\.[0-9]+)? with at most `places` decimals (-1: any; 0: integer) */
    K_DATE8,
    K_DT12,
    K_BIRTH12,
    K_DT12OR8,
    K_DATE8LIST,
    K_CHECK,    /* the plan's memoised Python checker decides */
    K_LAST
};

typedef struct {
    PyObject *name;     /* the tag, a str (the record dict's key) */
    char *cname;        /* the tag in ASCII */
    Py_ssize_t nlen;
    Py_ssize_t max_length;
    int required;
    int kind;
    int places;
    PyObject *codes;    /* frozenset of accepted codes (K_CODES) */
    PyObject *check;    /* callable str -> problem or None (K_CHECK) */
    PyObject *memo;     /* dict value -> the check's answer, which the check fills (K_CHECK), or NULL */
    PyObject *pattern;  /* callable str -> match or None: a match keeps the rules (K_CHECK), or NULL */
    /* The last value that kept the field's rules (a str, or NULL) and its UTF-8 bytes: values
     * repeat from record to record (MA_LK, dates, codes, rates), and the same bytes are the same
     * str, which keeps the same rules. Values longer than LAST_MAX are not kept. */
    PyObject *last;
    Py_ssize_t last_len;
    unsigned char last_bytes[LAST_MAX];
    /* The bytes from the end of the field's value to the end of the next field's name, as last
     * read when the next field of the table followed it (`</A>`, white space, `<B`): the same
     * bytes again, followed by a byte that cannot continue a name, are read in one comparison
     * (the documents of a sender indent alike). 0: none learnt. */
    Py_ssize_t sep_len;
    unsigned char sep[SEP_MAX];
} Field;

typedef struct {
    PyObject_HEAD
    Field *fields;
    Py_ssize_t nfields;
    int32_t *slots;     /* open addressing: field index + 1, 0 when empty */
    size_t mask;
    char *root, *list, *record;
    Py_ssize_t root_len, list_len, record_len;
    PyObject *open_str, *close_str;     /* "<record>" and "</record>" (or "</root>") as str */
    Py_ssize_t nrequired;
    PyObject *version;
    PyTypeObject *note_type;
    int usable;         /* 0 when a field is named like the table's own tags: never accept */
    /* The last record built anew (see build_record): a copy of its dict, never handed out, and
     * its (name, value) pairs in order as a tuple; NULL before the first. */
    PyObject *shape, *shape_items;
} Spec;

static PyObject *empty_str;

#include "_cscan_cents.h"

static int
is_ws(Py_UCS4 c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The bytes of a value as read here: 0 plain; SPECIAL those that end it, '<' (its end) and those
 * it declines ('&', '>', the control characters but tab and LF, CR, and NUL, which also ends a
 * bytes object's buffer); HIGH the bytes from 0x80, parts of UTF-8 sequences. */
enum { PLAIN, SPECIAL, HIGH };
static unsigned char special[256];

static void
init_special(void)
{
    for (int c = 0; c < 0x20; c++)
        special[c] = c != '\t' && c != '\n' ? SPECIAL : PLAIN;
    special['<'] = special['&'] = special['>'] = SPECIAL;
    for (int c = 0x80; c < 0x100; c++)
        special[c] = HIGH;
}


/* A byte that continues a field name ([A-Z0-9_]). */
Py_LOCAL_INLINE(int)
name_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static size_t
hash_step(size_t h, Py_UCS4 c)
{
    return (h * 33u) ^ (size_t)c;
}

static const int days_in[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* A calendar date from its digits (Gregorian leap years, as formats.valid_date8). */
static int
valid_ymd(int year, int month, int day)
{
    if (month < 1 || month > 12 || day < 1 || day > days_in[month])
        return 0;
    if (month == 2 && day == 29)
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return 1;
}

#define BOM "\xEF\xBB\xBF"

#include "_cscan_impl.h"
#include "_cscan_c14n.h"

/* ---- TableSpec ---------------------------------------------------------------------------- */

static char *
ascii_copy(PyObject *str, Py_ssize_t *len)
{
    if (!PyUnicode_Check(str) || !PyUnicode_IS_ASCII(str)) {
        PyErr_SetString(PyExc_ValueError, "tags must be ASCII str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(str);
    char *out = PyMem_Malloc((size_t)n + 1);
    if (out == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(out, PyUnicode_DATA(str), (size_t)n);
    out[n] = 0;
    *len = n;
    return out;
}

static int
is_name(const char *s, Py_ssize_t n)
{
    if (n < 1 || !((s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return 0;
    for (Py_ssize_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static void
spec_dealloc(Spec *self)
{
    if (self->fields != NULL) {
        for (Py_ssize_t i = 0; i < self->nfields; i++) {
            Field *f = &self->fields[i];
            Py_XDECREF(f->name);
            Py_XDECREF(f->codes);
            Py_XDECREF(f->check);
            Py_XDECREF(f->memo);
            Py_XDECREF(f->pattern);
            Py_XDECREF(f->last);
            PyMem_Free(f->cname);
        }
        PyMem_Free(self->fields);
    }
    PyMem_Free(self->slots);
    PyMem_Free(self->root);
    PyMem_Free(self->list);
    PyMem_Free(self->record);
    Py_XDECREF(self->open_str);
    Py_XDECREF(self->close_str);
    Py_XDECREF(self->version);
    Py_XDECREF(self->note_type);
    Py_XDECREF(self->shape);
    Py_XDECREF(self->shape_items);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
same_name(const Field *f, const char *s, Py_ssize_t n)
{
    return f->nlen == n && memcmp(f->cname, s, (size_t)n) == 0;
}

/* *slot = a new reference to `value` when `ok` (its type is right), else a TypeError: 0 or -1. */
static int
keep(PyObject **slot, PyObject *value, PyObject *name, const char *what, const char *must, int ok)
{
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "field %U: %s must be %s", name, what, must);
        return -1;
    }
    Py_INCREF(value);
    *slot = value;
    return 0;
}

/* TableSpec(root, list_tag, record_tag, version, note_type, fields): fields is a sequence of
 * (tag, max_length, required, kind, places, codes or None, check or None, memo or None, pattern
 * or None). */
static int
spec_init(Spec *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"root", "list_tag", "record_tag", "version", "note_type", "fields", NULL};
    PyObject *root, *list, *record, *version, *note_type, *fields;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "UUUUOO:TableSpec", kwlist, &root, &list, &record,
                                     &version, &note_type, &fields))
        return -1;
    if (self->fields != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "TableSpec is already initialised");
        return -1;
    }
    if (!PyType_Check(note_type) || !PyType_IsSubtype((PyTypeObject *)note_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "note_type must be a tuple subclass");
        return -1;
    }
    PyObject *seq = PySequence_Fast(fields, "fields must be a sequence");
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    self->fields = PyMem_Calloc((size_t)(n ? n : 1), sizeof(Field));
    size_t size = 16;
    while (size < (size_t)n * 4)
        size <<= 1;
    self->slots = PyMem_Calloc(size, sizeof(int32_t));
    if (self->fields == NULL || self->slots == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    self->mask = size - 1;
    self->usable = 1;
    if ((self->root = ascii_copy(root, &self->root_len)) == NULL ||
        (self->list = ascii_copy(list, &self->list_len)) == NULL ||
        (self->record = ascii_copy(record, &self->record_len)) == NULL) {
        Py_DECREF(seq);
        return -1;
    }
    if (!is_name(self->root, self->root_len) || (self->list_len > 0) != (self->record_len > 0) ||
        (self->list_len && (!is_name(self->list, self->list_len) ||
                            !is_name(self->record, self->record_len)))) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "table tags must be upper-case XML names");
        return -1;
    }
    if (self->list_len) {
        self->open_str = PyUnicode_FromFormat("<%s>", self->record);
        self->close_str = PyUnicode_FromFormat("</%s>", self->record);
    } else {
        self->open_str = PyUnicode_FromFormat("<%s>", self->root);
        self->close_str = PyUnicode_FromFormat("</%s>", self->root);
    }
    if (self->open_str == NULL || self->close_str == NULL) {
        Py_DECREF(seq);
        return -1;
    }
    Py_INCREF(version);
    self->version = version;
    Py_INCREF(note_type);
    self->note_type = (PyTypeObject *)note_type;
    for (Py_ssize_t i = 0; i < n; i++) {
        Field *f = &self->fields[i];
        PyObject *name, *codes, *check, *memo, *pattern;
        Py_ssize_t max_length;
        int required, kind, places;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "UnpiiOOOO:field", &name, &max_length,
                              &required, &kind, &places, &codes, &check, &memo, &pattern))
            goto fail;
        self->nfields = i + 1;
        Py_INCREF(name);
        f->name = name;
        if ((f->cname = ascii_copy(name, &f->nlen)) == NULL)
            goto fail;
        if (!is_name(f->cname, f->nlen) || kind < 0 || kind >= K_LAST || max_length < 0) {
            PyErr_Format(PyExc_ValueError, "field %U: bad tag, kind or size", name);
            goto fail;
        }
        f->max_length = max_length;
        f->required = required;
        f->kind = kind;
        f->places = places;
        if (kind == K_CODES && keep(&f->codes, codes, name, "codes", "a frozenset", PyFrozenSet_Check(codes)) < 0)
            goto fail;
        if (kind == K_CHECK &&
            (keep(&f->check, check, name, "check", "callable", PyCallable_Check(check)) < 0 ||
             (memo != Py_None && keep(&f->memo, memo, name, "memo", "a dict", PyDict_CheckExact(memo)) < 0) ||
             (pattern != Py_None &&
              keep(&f->pattern, pattern, name, "pattern", "callable", PyCallable_Check(pattern)) < 0)))
            goto fail;
        if (required)
            self->nrequired++;
        if (same_name(f, self->root, self->root_len) || same_name(f, self->list, self->list_len) ||
            same_name(f, self->record, self->record_len))
            self->usable = 0;
        size_t h = 5381;
        for (Py_ssize_t k = 0; k < f->nlen; k++)
            h = hash_step(h, (Py_UCS4)(unsigned char)f->cname[k]);
        for (size_t at = h & self->mask;; at = (at + 1) & self->mask) {
            int32_t slot = self->slots[at];
            if (slot == 0) {
                self->slots[at] = (int32_t)(i + 1);
                break;
            }
            if (same_name(&self->fields[slot - 1], f->cname, f->nlen)) {
                PyErr_Format(PyExc_ValueError, "field %U listed twice", name);
                goto fail;
            }
        }
    }
    Py_DECREF(seq);
    return 0;
fail:
    Py_DECREF(seq);
    return -1;
}

static PyTypeObject SpecType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "lienthong.profiles.validator._cscan.TableSpec",
    .tp_doc = PyDoc_STR("The field rules of one table in one version, compiled for scan()."),
    .tp_basicsize = sizeof(Spec),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)spec_init,
    .tp_dealloc = (destructor)spec_dealloc,
};

/* ---- scan() ------------------------------------------------------------------------------- */

static PyObject *
scan(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyObject_TypeCheck(args[0], &SpecType) || !PyBytes_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "scan(spec: TableSpec, data: bytes)");
        return NULL;
    }
    Spec *spec = (Spec *)args[0];
    if (!spec->usable || spec->fields == NULL)
        Py_RETURN_NONE;
    /* Per call, not per spec: a check may run Python code, which may scan again. */
    size_t nf = (size_t)spec->nfields + 1;
    void *block = PyMem_Malloc(nf * (sizeof(Field *) + sizeof(PyObject *) + 1));
    if (block == NULL)
        return PyErr_NoMemory();
    Scratch scratch = {(unsigned char *)block + nf * (sizeof(Field *) + sizeof(PyObject *)), (Field **)block,
                       (PyObject **)((Field **)block + nf)};
    PyObject *result = read_table(spec, (const unsigned char *)PyBytes_AS_STRING(args[1]),
                                  PyBytes_GET_SIZE(args[1]), &scratch);
    PyMem_Free(block);
    return result;
}

/* ---- envelope() ----------------------------------------------------------------------------- */

/* White space, then `<tag>`: the position after it, or -1. */
static Py_ssize_t
env_open(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t pos, const char *tag)
{
    return open_tag(s, n, skip_ws(s, n, pos), tag, (Py_ssize_t)strlen(tag));
}

static Py_ssize_t
env_close(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t pos, const char *tag)
{
    return close_tag(s, n, skip_ws(s, n, pos), tag, (Py_ssize_t)strlen(tag));
}

static int
env_value_char(Py_UCS1 c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           c == '.' || c == '-';
}

/* White space, then `<tag>value</tag>` with envelope.py's _VALUE: the position after it (the value
 * as a new str in *value), -1 when not there, -2 on error. */
static Py_ssize_t
env_leaf(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t pos, const char *tag, PyObject **value)
{
    pos = env_open(s, n, pos, tag);
    if (pos < 0)
        return -1;
    Py_ssize_t a = pos;
    while (pos < n && env_value_char(s[pos]))
        pos++;
    Py_ssize_t end = close_tag(s, n, pos, tag, (Py_ssize_t)strlen(tag));
    if (end < 0)
        return -1;
    *value = PyUnicode_DecodeASCII((const char *)s + a, pos - a, NULL);
    return *value == NULL ? -2 : end;
}

/* envelope(data, root, signature, largest): envelope.py's scan_envelope in one pass, as
 * (facility, ngaylap, declared, files, start, end) where files are (LOAIHOSO, NOIDUNGFILE bytes)
 * and data[start:end] the signature element that must parse on its own (start -1: an empty
 * one); None when not sure (the caller then reads it in Python). */
static PyObject *
envelope(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyBytes_Check(args[0]) || !PyUnicode_Check(args[1]) || !PyUnicode_Check(args[2]) ||
        !PyLong_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "envelope(data: bytes, root: str, signature: str, largest: int)");
        return NULL;
    }
    const char *root = PyUnicode_AsUTF8(args[1]), *sig = PyUnicode_AsUTF8(args[2]);
    Py_ssize_t largest = PyLong_AsSsize_t(args[3]);
    if (root == NULL || sig == NULL || (largest == -1 && PyErr_Occurred()))
        return NULL;
    const Py_UCS1 *s = (const Py_UCS1 *)PyBytes_AS_STRING(args[0]);
    Py_ssize_t n = PyBytes_GET_SIZE(args[0]), sig_len = (Py_ssize_t)strlen(sig);
    if (n > largest)
        Py_RETURN_NONE;
    PyObject *facility = NULL, *ngaylap = NULL, *declared = NULL, *kind = NULL, *files = NULL;
    PyObject *result = NULL;
    Py_ssize_t pos = n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF ? 3 : 0;
    pos = declaration(s, n, pos);
    if (pos < 0 || (pos = env_open(s, n, pos, root)) < 0 || (pos = env_open(s, n, pos, "THONGTINDONVI")) < 0)
        goto none;
    if ((pos = env_leaf(s, n, pos, "MACSKCB", &facility)) < 0)
        goto fail;
    if ((pos = env_close(s, n, pos, "THONGTINDONVI")) < 0 || (pos = env_open(s, n, pos, "THONGTINHOSO")) < 0)
        goto none;
    if ((pos = env_leaf(s, n, pos, "NGAYLAP", &ngaylap)) < 0 ||
        (pos = env_leaf(s, n, pos, "SOLUONGHOSO", &declared)) < 0)
        goto fail;
    if ((pos = env_open(s, n, pos, "DANHSACHHOSO")) < 0 || (pos = env_open(s, n, pos, "HOSO")) < 0)
        goto none;
    pos = skip_ws(s, n, pos);
    if ((files = PyList_New(0)) == NULL)
        goto fail;
    for (;;) {
        Py_ssize_t at = env_open(s, n, pos, "FILEHOSO");
        if (at < 0)
            break;
        at = env_leaf(s, n, at, "LOAIHOSO", &kind);
        if (at == -2)
            goto fail;
        if (at < 0 || (at = env_open(s, n, at, "NOIDUNGFILE")) < 0) {
            Py_CLEAR(kind);
            break;
        }
        Py_ssize_t end = find_bytes(s, at, n, "</NOIDUNGFILE>", sizeof("</NOIDUNGFILE>") - 1, 1);
        if (end < 0)
            goto none;
        PyObject *content = PyBytes_FromStringAndSize((const char *)s + at, end - at);
        if (content == NULL)
            goto fail;
        PyObject *file = PyTuple_Pack(2, kind, content);
        Py_DECREF(content);
        Py_CLEAR(kind);
        if (file == NULL || PyList_Append(files, file) < 0) {
            Py_XDECREF(file);
            goto fail;
        }
        Py_DECREF(file);
        pos = env_close(s, n, end + 14, "FILEHOSO");
        if (pos < 0)
            goto none;
        pos = skip_ws(s, n, pos);
    }
    if ((pos = env_close(s, n, pos, "HOSO")) < 0 || (pos = env_close(s, n, pos, "DANHSACHHOSO")) < 0 ||
        (pos = env_close(s, n, pos, "THONGTINHOSO")) < 0)
        goto none;
    pos = skip_ws(s, n, pos);
    if (pos >= n || s[pos] != '<' || !lit(s, n, pos + 1, sig, sig_len))
        goto none;
    Py_ssize_t start = pos, end = -1;
    pos += 1 + sig_len;
    Py_ssize_t empty = skip_ws(s, n, pos);
    if (lit(s, n, empty, "/>", 2)) {
        pos = empty + 2;
        start = -1;
    } else if (pos < n && s[pos] == '>' &&
               (empty = close_tag(s, n, skip_ws(s, n, pos + 1), sig, sig_len)) >= 0) {
        pos = empty;
        start = -1;
    } else {
        /* A signed envelope: up to the last </signature>, which the caller parses on its own. */
        char close[256];
        if (sig_len + 4 > (Py_ssize_t)sizeof(close) || pos >= n || s[pos] != '>')
            goto none;
        PyOS_snprintf(close, sizeof(close), "</%s>", sig);
        Py_ssize_t last = find_bytes(s, pos, n, close, sig_len + 3, -1);
        if (last < 0)
            goto none;
        pos = end = last + sig_len + 3;
    }
    if ((pos = env_close(s, n, pos, root)) < 0 || skip_ws(s, n, pos) != n)
        goto none;
    result = Py_BuildValue("(OOOOnn)", facility, ngaylap, declared, files, start, end);
    goto done;
none:
    result = Py_None;
    Py_INCREF(result);
    goto done;
fail:
    if (!PyErr_Occurred())
        goto none; /* a leaf not there: not sure */
done:
    Py_XDECREF(facility);
    Py_XDECREF(ngaylap);
    Py_XDECREF(declared);
    Py_XDECREF(kind);
    Py_XDECREF(files);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL,
     PyDoc_STR("scan(spec, data) -> (rows, notes) or None: see the module docstring.")},
    {"envelope", (PyCFunction)(void (*)(void))envelope, METH_FASTCALL,
     PyDoc_STR("envelope(data, root, signature, largest) -> (facility, ngaylap, declared, files, start, "
               "end) or None.")},
    {"cents", (PyCFunction)cents, METH_O,
     PyDoc_STR("cents(text) -> the amount in whole cents, or None: see _cscan_cents.h.")},
    {"product_cents", (PyCFunction)(void (*)(void))product_cents, METH_FASTCALL,
     PyDoc_STR("product_cents(factors, hundreds) -> round(product / 100**hundreds, 2) in cents, or None.")},
    {"sum_cents", (PyCFunction)(void (*)(void))sum_cents, METH_FASTCALL,
     PyDoc_STR("sum_cents(records, field) -> the sum of the field's cents over the records, or None.")},
    {"canonical_spans", (PyCFunction)(void (*)(void))canonical_spans, METH_FASTCALL,
     PyDoc_STR("canonical_spans(data, holder, sig_open, sig_close) -> (root_start, root_end, sig_start, "
               "sig_end) or None: see _cscan_c14n.h.")},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "lienthong.profiles.validator._cscan",
    .m_doc = PyDoc_STR("Compiled record scanner of the validator (see validator/native.py)."),
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__cscan(void)
{
    if (PyType_Ready(&SpecType) < 0)
        return NULL;
    init_special();
    init_cents();
    init_c14n();
    empty_str = PyUnicode_New(0, 0);
    if (empty_str == NULL)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    Py_INCREF(&SpecType);
    if (PyModule_AddObject(m, "TableSpec", (PyObject *)&SpecType) < 0 ||
        PyModule_AddIntConstant(m, "FREE", K_FREE) < 0 || PyModule_AddIntConstant(m, "CODES", K_CODES) < 0 ||
        PyModule_AddIntConstant(m, "NUMBER", K_NUMBER) < 0 || PyModule_AddIntConstant(m, "DATE8", K_DATE8) < 0 ||
        PyModule_AddIntConstant(m, "DATETIME12", K_DT12) < 0 ||
        PyModule_AddIntConstant(m, "BIRTH12", K_BIRTH12) < 0 ||
        PyModule_AddIntConstant(m, "DATETIME12OR8", K_DT12OR8) < 0 ||
        PyModule_AddIntConstant(m, "DATE8LIST", K_DATE8LIST) < 0 ||
        PyModule_AddIntConstant(m, "CHECK", K_CHECK) < 0 ||
        PyModule_AddIntConstant(m, "CENTS_EXACT", CENTS_EXACT) < 0 ||
        PyModule_AddIntConstant(m, "INTERFACE", CSCAN_INTERFACE) < 0) {
        Py_DECREF(&SpecType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
