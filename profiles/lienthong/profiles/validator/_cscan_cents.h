/* Exact amounts in whole cents, for the amount rules' fast path (see native.py and
 * record_rules.py). Included once by _cscan.c.
 *
 * The rules compare an amount field with round(product / 100**k, 2) in decimal arithmetic. For
 * plain numbers (-?[0-9]+(\.[0-9]+)?, the way every valid amount is written) that is integer
 * arithmetic on the digits: these functions do it in 128 bits and answer an int of cents, or None
 * when they cannot answer exactly (any other spelling, more than 38 digits, a result beyond 64
 * bits, an amount not a whole number of cents). None sends the rule to its Decimal arithmetic,
 * which also writes the message: the fast path only ever confirms that a rule holds.
 */
#if defined(__SIZEOF_INT128__)
#define CENTS_EXACT 1
typedef unsigned __int128 u128;

static u128 pow10_128[39];

static void
init_cents(void)
{
    pow10_128[0] = 1;
    for (int i = 1; i < 39; i++)
        pow10_128[i] = pow10_128[i - 1] * 10;
}

/* A plain decimal text: its digits as an integer, its decimal places and its sign. */
typedef struct {
    u128 digits;
    int places;
    int negative;
} Plain;

/* 1 when `text` is a str -?[0-9]+(\.[0-9]+)? of at most 38 digits; 0 otherwise (not an error). */
static int
read_plain(PyObject *text, Plain *out)
{
    if (!PyUnicode_Check(text) || !PyUnicode_IS_ASCII(text))
        return 0;
    const char *s = (const char *)PyUnicode_1BYTE_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0;
    out->negative = n > 0 && s[0] == '-';
    i = out->negative;
    u128 digits = 0;
    int count = 0, places = 0, point = 0, before = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && !point && before > 0) {
            point = 1;
            continue;
        }
        if (c < '0' || c > '9' || ++count > 38)
            return 0;
        digits = digits * 10 + (u128)(c - '0');
        if (point)
            places++;
        else
            before++;
    }
    if (before == 0 || (point && places == 0))
        return 0;
    out->digits = digits;
    out->places = places;
    return 1;
}

/* `magnitude` / 10**places rounded half away from zero to cents, signed, as an int; None when it
 * does not fit in 64 bits. `exact`: None too when rounding would change the value. */
static PyObject *
to_cents(u128 magnitude, int places, int negative, int exact)
{
    u128 cents;
    if (places <= 2) {
        u128 scale = pow10_128[2 - places];
        if (magnitude > ((u128)INT64_MAX) / scale)
            Py_RETURN_NONE;
        cents = magnitude * scale;
    }
    else {
        if (places - 2 > 38)
            Py_RETURN_NONE;
        u128 unit = pow10_128[places - 2], rest = magnitude % unit;
        if (exact && rest != 0)
            Py_RETURN_NONE;
        cents = magnitude / unit + (rest * 2 >= unit ? 1 : 0); /* rest < unit <= 10**38 < 2**127 */
    }
    if (cents > (u128)INT64_MAX)
        Py_RETURN_NONE;
    long long value = (long long)cents;
    return PyLong_FromLongLong(negative ? -value : value);
}

static PyObject *
cents(PyObject *module, PyObject *text)
{
    Plain p;
    if (!read_plain(text, &p))
        Py_RETURN_NONE;
    return to_cents(p.digits, p.places, p.negative, 1);
}

static PyObject *
product_cents(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_Check(args[0]) || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "product_cents(factors: tuple[str, ...], hundreds: int)");
        return NULL;
    }
    long hundreds = PyLong_AsLong(args[1]);
    if (hundreds == -1 && PyErr_Occurred())
        return NULL;
    if (hundreds < 0 || hundreds > 19)
        Py_RETURN_NONE;
    u128 magnitude = 1;
    int places = (int)hundreds * 2, negative = 0;
    Py_ssize_t n = PyTuple_GET_SIZE(args[0]);
    for (Py_ssize_t i = 0; i < n; i++) {
        Plain p;
        if (!read_plain(PyTuple_GET_ITEM(args[0], i), &p) ||
            __builtin_mul_overflow(magnitude, p.digits, &magnitude))
            Py_RETURN_NONE;
        places += p.places;
        negative ^= p.negative;
    }
    return to_cents(magnitude, places, negative, 0);
}

static PyObject *
sum_cents(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_Check(args[0]) || !PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "sum_cents(records: list[dict[str, str]], field: str)");
        return NULL;
    }
    PyObject *records = args[0], *field = args[1];
    long long total = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(records); i++) {
        PyObject *record = PyList_GET_ITEM(records, i);
        if (!PyDict_Check(record))
            Py_RETURN_NONE;
        PyObject *text = PyDict_GetItemWithError(record, field); /* borrowed */
        if (text == NULL) {
            if (PyErr_Occurred())
                return NULL;
            Py_RETURN_NONE;
        }
        PyObject *amount = cents(module, text);
        if (amount == NULL)
            return NULL;
        if (amount == Py_None) {
            Py_DECREF(amount);
            Py_RETURN_NONE;
        }
        long long value = PyLong_AsLongLong(amount);
        Py_DECREF(amount);
        if (__builtin_add_overflow(total, value, &total))
            Py_RETURN_NONE;
    }
    return PyLong_FromLongLong(total);
}

#else /* no 128-bit integers: never sure, the Decimal arithmetic answers */
#define CENTS_EXACT 0

static void
init_cents(void)
{
}

static PyObject *
cents(PyObject *module, PyObject *text)
{
    Py_RETURN_NONE;
}

static PyObject *
product_cents(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_RETURN_NONE;
}

static PyObject *
sum_cents(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_RETURN_NONE;
}
#endif
