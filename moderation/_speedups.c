/* Optional C speed-ups; each has a pure Python twin, which the tests compare it with.
 *
 * split_lookup(texts, mapping) -> (values, lengths, missing)   (moderation.words)
 *   Splits every text on white space exactly as str.split() does, and looks every word up
 *   in the dict ``mapping``: ``values`` holds mapping[word] for every word of every text, one
 *   after another (None where the word is not in mapping); ``lengths[t]`` is how many words
 *   text t has; ``missing`` lists (position in values, word) for the words not found.
 *
 * It does what Python does with str.split, itertools.chain and dict.get, without creating
 * a list per text.
 *
 * fold_simple(texts) -> list   (moderation.normalize_batch)
 *   For a text made only of the "simple" characters (speedups.FOLDABLE: printable ASCII,
 *   basic Cyrillic, Ґ ґ, – — « » “ ” „, emoji U+1F300-U+1FAFF) steps 1-3 of normalisation
 *   only lower the case and turn a backtick into an apostrophe: that, or None for any other
 *   text.
 *
 * join_runs(words, lengths[, item]) -> list[str]   (moderation.normalize_batch)
 *   " ".join of each run of lengths[t] words, one run after another (with item: the words
 *   are tuples, and their item-th elements are joined).
 *
 * int_columns(rows, columns) -> list[bytes]   (moderation.normalize_batch)
 *   For each column c: the bytes of one native int64 per row, rows[r][c] (rows: tuples).
 *
 * word_rows_scores(text_indptr, word_ids, row_indptr, row_values, idf, coef, out)
 *   (moderation.features) The share of a linear model's scores that TF-IDF features give
 *   (sublinear tf, L2-normalised rows), where each text is a run of words and each word a
 *   row of feature columns: for text t, the columns of the rows of words
 *   word_ids[text_indptr[t]:text_indptr[t + 1]] (rows: row_values[row_indptr[w]:...]) are
 *   counted; each column c counted k times weighs (1 + log k) * idf[c]; the weights of a text
 *   are divided by their L2 norm; out[t, l] = sum over columns of weight * coef[c, l].
 *   Buffers: int64, int64, int64, int32, float32, float64 (columns x labels, C order),
 *   float64 (texts x labels, written).
 *
 * token_ngram_scores(text_indptr, word_ids, row_indptr, row_values, unigram_cols,
 *                    bigram_keys, bigram_cols, bigram_heads, base, idf, coef, out)
 *   (moderation.features)
 *   The same for word 1- and 2-grams: the rows are the token ids of each word (-1: a token
 *   in no n-gram of the vocabulary), a text is the sequence of its words' tokens; token t
 *   counts column unigram_cols[t] (when >= 0), and two tokens a, b in a row count the
 *   column of key a * base + b in the sorted bigram_keys (when there; the keys of first
 *   token a are bigram_keys[bigram_heads[a]:bigram_heads[a + 1]]). Buffers: int64 x3,
 *   int32, int64 x4, then idf, coef, out as above.
 *
 * char_wb_lookup(word, mapping, min_n, max_n) -> list   (moderation.features)
 *   mapping[gram] for every character n-gram of " word " that mapping holds, as
 *   scikit-learn's char_wb analyzer cuts them (n from min_n to max_n; a padded word no longer
 *   than n counts once, whole, and ends it).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

/* Length, kind and data of text i, which must be a str (-1 with TypeError). */
static int
text_parts(const char *fn, Py_ssize_t i, PyObject *text, Py_ssize_t *len, int *kind,
           const void **data)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "%s: text %zd is %.100s, not str", fn, i,
                     Py_TYPE(text)->tp_name);
        return -1;
    }
    *len = PyUnicode_GET_LENGTH(text);
    *kind = PyUnicode_KIND(text);
    *data = PyUnicode_DATA(text);
    return 0;
}

static int
append_steal(PyObject *list, PyObject *item)
{
    if (item == NULL)
        return -1;
    int rc = PyList_Append(list, item);
    Py_DECREF(item);
    return rc;
}

static PyObject *
split_lookup(PyObject *self, PyObject *args)
{
    PyObject *texts, *mapping;
    if (!PyArg_ParseTuple(args, "OO!:split_lookup", &texts, &PyDict_Type, &mapping))
        return NULL;
    PyObject *seq = PySequence_Fast(texts, "split_lookup: texts must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject *values = PyList_New(0);
    PyObject *lengths = PyList_New(n);
    PyObject *missing = PyList_New(0);
    if (values == NULL || lengths == NULL || missing == NULL)
        goto fail;

    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = items[i];
        Py_ssize_t len;
        int kind;
        const void *data;
        if (text_parts("split_lookup", i, text, &len, &kind, &data) < 0)
            goto fail;
        Py_ssize_t count = 0, j = 0;
        for (;;) {
            while (j < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)))
                j++;
            if (j >= len)
                break;
            Py_ssize_t start = j;
            while (j < len && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)))
                j++;
            PyObject *word = PyUnicode_Substring(text, start, j);
            if (word == NULL)
                goto fail;
            PyObject *value = PyDict_GetItemWithError(mapping, word); /* borrowed */
            if (value != NULL) {
                if (PyList_Append(values, value) < 0) {
                    Py_DECREF(word);
                    goto fail;
                }
                Py_DECREF(word);
            }
            else if (PyErr_Occurred()) {
                Py_DECREF(word);
                goto fail;
            }
            else {
                PyObject *pair = Py_BuildValue("(nN)", PyList_GET_SIZE(values), word);
                if (append_steal(missing, pair) < 0 || PyList_Append(values, Py_None) < 0)
                    goto fail;
            }
            count++;
        }
        PyObject *c = PyLong_FromSsize_t(count);
        if (c == NULL)
            goto fail;
        PyList_SET_ITEM(lengths, i, c);
    }
    Py_DECREF(seq);
    return Py_BuildValue("(NNN)", values, lengths, missing);

fail:
    Py_DECREF(seq);
    Py_XDECREF(values);
    Py_XDECREF(lengths);
    Py_XDECREF(missing);
    return NULL;
}

static inline int
is_simple(Py_UCS4 c)
{
    return (c >= 0x20 && c <= 0x7e) || (c >= 0x400 && c <= 0x45f) || c == 0x490 || c == 0x491 ||
           c == 0x2013 || c == 0x2014 || c == 0xab || c == 0xbb || (c >= 0x201c && c <= 0x201e) ||
           (c >= 0x1f300 && c <= 0x1faff); /* emoji: steps 1-3 leave them as they are */
}

static inline Py_UCS4
fold_char(Py_UCS4 c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c == '`')
        return '\'';
    if (c >= 0x410 && c <= 0x42f) /* А-Я */
        return c + 32;
    if (c >= 0x400 && c <= 0x40f) /* Ѐ-Џ */
        return c + 80;
    if (c == 0x490)
        return 0x491;
    return c;
}

static PyObject *
fold_simple(PyObject *self, PyObject *texts)
{
    PyObject *seq = PySequence_Fast(texts, "fold_simple: texts must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = items[i];
        Py_ssize_t len;
        int kind;
        const void *data;
        if (text_parts("fold_simple", i, text, &len, &kind, &data) < 0)
            goto fail;
        Py_UCS4 maxchar = 0;
        int simple = 1, changes = 0;
        for (Py_ssize_t j = 0; j < len; j++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            if (!is_simple(c)) {
                simple = 0;
                break;
            }
            Py_UCS4 f = fold_char(c);
            changes |= f != c;
            if (f > maxchar)
                maxchar = f;
        }
        PyObject *result;
        if (!simple) {
            result = Py_NewRef(Py_None);
        }
        else if (!changes) {
            result = Py_NewRef(text);
        }
        else {
            result = PyUnicode_New(len, maxchar);
            if (result == NULL)
                goto fail;
            int rkind = PyUnicode_KIND(result);
            void *rdata = PyUnicode_DATA(result);
            for (Py_ssize_t j = 0; j < len; j++)
                PyUnicode_WRITE(rkind, rdata, j, fold_char(PyUnicode_READ(kind, data, j)));
        }
        PyList_SET_ITEM(out, i, result);
    }
    Py_DECREF(seq);
    return out;

fail:
    Py_DECREF(seq);
    Py_XDECREF(out);
    return NULL;
}

static PyObject *
join_runs(PyObject *self, PyObject *args)
{
    PyObject *words, *lengths;
    Py_ssize_t item = -1;
    if (!PyArg_ParseTuple(args, "O!O!|n:join_runs", &PyList_Type, &words, &PyList_Type, &lengths,
                          &item))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(lengths), total = PyList_GET_SIZE(words), at = 0;
    PyObject *space = PyUnicode_FromString(" ");
    PyObject *out = PyList_New(n);
    if (space == NULL || out == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t k = PyLong_AsSsize_t(PyList_GET_ITEM(lengths, i));
        if (k == -1 && PyErr_Occurred())
            goto fail;
        if (k < 0 || at + k > total) {
            PyErr_SetString(PyExc_ValueError, "join_runs: lengths do not match words");
            goto fail;
        }
        PyObject *run = PyList_GetSlice(words, at, at + k);
        if (run == NULL)
            goto fail;
        if (item >= 0) { /* the item-th element of each tuple instead */
            for (Py_ssize_t m = 0; m < k; m++) {
                PyObject *row = PyList_GET_ITEM(run, m);
                if (!PyTuple_Check(row) || item >= PyTuple_GET_SIZE(row)) {
                    Py_DECREF(run);
                    PyErr_SetString(PyExc_TypeError, "join_runs: words must be tuples");
                    goto fail;
                }
                PyObject *element = Py_NewRef(PyTuple_GET_ITEM(row, item));
                PyList_SET_ITEM(run, m, element);
                Py_DECREF(row);
            }
        }
        PyObject *joined = PyUnicode_Join(space, run);
        Py_DECREF(run);
        if (joined == NULL)
            goto fail;
        PyList_SET_ITEM(out, i, joined);
        at += k;
    }
    Py_DECREF(space);
    return out;

fail:
    Py_XDECREF(space);
    Py_XDECREF(out);
    return NULL;
}

/* The buffers both scorers take: texts as runs of words, words as rows of values. */
typedef struct {
    const long long *text_indptr, *word_ids, *row_indptr;
    const int *values;
    const float *idf;
    const double *coef;
    double *out;
    Py_ssize_t n_texts, n_rows, n_values, n_cols, n_labels;
} Layout;

/* 1 + log(k) for the small counts k (most are 1): filled once, with the same log() */
#define TF_TABLE 64
static double tf_table[TF_TABLE];

/* out[l] = sum over the touched columns c of (1 + log counts[c]) * idf[c] * coef[c, l],
 * divided by the L2 norm of those weights; counts of the touched columns are reset to 0. */
static void
score_text(const Layout *l, int *counts, const int *touched, Py_ssize_t n_touched, Py_ssize_t t)
{
    const float *idf = l->idf;
    const double *coef = l->coef;
    Py_ssize_t n_labels = l->n_labels;
    double *out = l->out + t * n_labels;
    double squares = 0.0;
    for (Py_ssize_t l = 0; l < n_labels; l++)
        out[l] = 0.0;
    for (Py_ssize_t i = 0; i < n_touched; i++) {
        int c = touched[i];
        int k = counts[c];
        double weight = (k < TF_TABLE ? tf_table[k] : 1.0 + log((double)k)) * (double)idf[c];
        counts[c] = 0;
        squares += weight * weight;
        const double *w = coef + (Py_ssize_t)c * n_labels;
        for (Py_ssize_t l = 0; l < n_labels; l++)
            out[l] += weight * w[l];
    }
    if (squares > 0.0) {
        double norm = sqrt(squares);
        for (Py_ssize_t l = 0; l < n_labels; l++)
            out[l] /= norm;
    }
}

static int
check_buffer(Py_buffer *b, Py_ssize_t itemsize, const char *name)
{
    if (b->itemsize != itemsize || b->len % itemsize != 0) {
        PyErr_Format(PyExc_TypeError, "word_rows_scores: %s must hold %zd-byte items", name,
                     itemsize);
        return -1;
    }
    return 0;
}

/* Checks sizes, order and ranges of those buffers (values in [min_value, value_limit), or in
 * [min_value, number of columns) when value_limit < 0) and fills layout; -1 with ValueError. */
static int
read_layout(const char *fn, Py_buffer *tb, Py_buffer *wb, Py_buffer *rb, Py_buffer *vb,
            Py_buffer *ib, Py_buffer *cb, Py_buffer *ob, long long min_value,
            Py_ssize_t value_limit, Layout *l)
{
    if (check_buffer(tb, 8, "text_indptr") || check_buffer(wb, 8, "word_ids") ||
        check_buffer(rb, 8, "row_indptr") || check_buffer(vb, 4, "row_values") ||
        check_buffer(ib, 4, "idf") || check_buffer(cb, 8, "coef") || check_buffer(ob, 8, "out"))
        return -1;
    l->text_indptr = tb->buf;
    l->word_ids = wb->buf;
    l->row_indptr = rb->buf;
    l->values = vb->buf;
    l->idf = ib->buf;
    l->coef = cb->buf;
    l->out = ob->buf;
    l->n_texts = tb->len / 8 - 1;
    l->n_rows = rb->len / 8 - 1;
    l->n_values = vb->len / 4;
    l->n_cols = ib->len / 4;
    Py_ssize_t n_occ = wb->len / 8;
    if (l->n_texts < 0 || l->n_rows < 0 || l->n_cols == 0 || (cb->len / 8) % l->n_cols != 0) {
        PyErr_Format(PyExc_ValueError, "%s: inconsistent sizes", fn);
        return -1;
    }
    l->n_labels = (cb->len / 8) / l->n_cols;
    if (ob->len / 8 != l->n_texts * l->n_labels || l->text_indptr[0] != 0 ||
        l->text_indptr[l->n_texts] != n_occ || l->row_indptr[0] != 0 ||
        l->row_indptr[l->n_rows] != l->n_values) {
        PyErr_Format(PyExc_ValueError, "%s: inconsistent sizes", fn);
        return -1;
    }
    for (Py_ssize_t t = 0; t < l->n_texts; t++)
        if (l->text_indptr[t + 1] < l->text_indptr[t]) {
            PyErr_Format(PyExc_ValueError, "%s: text_indptr decreases", fn);
            return -1;
        }
    for (Py_ssize_t j = 0; j < n_occ; j++)
        if (l->word_ids[j] < 0 || l->word_ids[j] >= l->n_rows) {
            PyErr_Format(PyExc_ValueError, "%s: a word id is out of range", fn);
            return -1;
        }
    for (Py_ssize_t r = 0; r < l->n_rows; r++)
        if (l->row_indptr[r + 1] < l->row_indptr[r]) {
            PyErr_Format(PyExc_ValueError, "%s: row_indptr decreases", fn);
            return -1;
        }
    Py_ssize_t limit = value_limit < 0 ? l->n_cols : value_limit;
    for (Py_ssize_t k = 0; k < l->n_values; k++)
        if (l->values[k] < min_value || l->values[k] >= limit) {
            PyErr_Format(PyExc_ValueError, "%s: a row value is out of range", fn);
            return -1;
        }
    return 0;
}

/* Zeroed counts and a touched list, one slot per column; -1 with MemoryError. */
static int
scratch(Py_ssize_t n_cols, int **counts, int **touched)
{
    *counts = PyMem_Calloc(n_cols, sizeof(int));
    *touched = PyMem_Malloc(n_cols * sizeof(int));
    if (*counts == NULL || *touched == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* Frees the scratch and releases the buffers; None when ok, else NULL (the error set). */
static PyObject *
finish(int ok, int *counts, int *touched, Py_buffer *buffers[], int n)
{
    PyMem_Free(counts);
    PyMem_Free(touched);
    for (int i = 0; i < n; i++)
        PyBuffer_Release(buffers[i]);
    return ok ? Py_NewRef(Py_None) : NULL;
}

static PyObject *
word_rows_scores(PyObject *self, PyObject *args)
{
    Py_buffer tb, wb, rb, vb, ib, cb, ob;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*w*:word_rows_scores", &tb, &wb, &rb, &vb, &ib,
                          &cb, &ob))
        return NULL;
    Py_buffer *buffers[] = {&tb, &wb, &rb, &vb, &ib, &cb, &ob};
    int *counts = NULL, *touched = NULL;
    Layout l;
    if (read_layout("word_rows_scores", &tb, &wb, &rb, &vb, &ib, &cb, &ob, 0, -1, &l) < 0 ||
        scratch(l.n_cols, &counts, &touched) < 0)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t t = 0; t < l.n_texts; t++) {
        Py_ssize_t n_touched = 0;
        for (long long j = l.text_indptr[t]; j < l.text_indptr[t + 1]; j++) {
            long long w = l.word_ids[j];
            for (long long k = l.row_indptr[w]; k < l.row_indptr[w + 1]; k++) {
                int c = l.values[k];
                if (counts[c]++ == 0)
                    touched[n_touched++] = c;
            }
        }
        score_text(&l, counts, touched, n_touched, t);
    }
    Py_END_ALLOW_THREADS
    return finish(1, counts, touched, buffers, 7);
done:
    return finish(0, counts, touched, buffers, 7);
}

static PyObject *
token_ngram_scores(PyObject *self, PyObject *args)
{
    Py_buffer tb, wb, rb, vb, ub, kb, bb, hb, ib, cb, ob;
    long long base;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*y*Ly*y*w*:token_ngram_scores", &tb, &wb, &rb,
                          &vb, &ub, &kb, &bb, &hb, &base, &ib, &cb, &ob))
        return NULL;
    Py_buffer *buffers[] = {&tb, &wb, &rb, &vb, &ub, &kb, &bb, &hb, &ib, &cb, &ob};
    int *counts = NULL, *touched = NULL;
    Layout l;
    if (check_buffer(&ub, 8, "unigram_cols") || check_buffer(&kb, 8, "bigram_keys") ||
        check_buffer(&bb, 8, "bigram_cols") || check_buffer(&hb, 8, "bigram_heads"))
        goto done;
    const long long *unigram_cols = ub.buf, *bigram_keys = kb.buf, *bigram_cols = bb.buf;
    const long long *heads = hb.buf;
    Py_ssize_t n_tokens = ub.len / 8, n_bigrams = kb.len / 8;
    if (read_layout("token_ngram_scores", &tb, &wb, &rb, &vb, &ib, &cb, &ob, -1, n_tokens,
                    &l) < 0)
        goto done;
    if (bb.len != kb.len || base < n_tokens || hb.len / 8 != n_tokens + 1) {
        PyErr_SetString(PyExc_ValueError, "token_ngram_scores: inconsistent sizes");
        goto done;
    }
    for (Py_ssize_t k = 0; k < n_tokens; k++)
        if (unigram_cols[k] >= l.n_cols) {
            PyErr_SetString(PyExc_ValueError, "token_ngram_scores: a column is out of range");
            goto done;
        }
    for (Py_ssize_t k = 0; k < n_bigrams; k++)
        if (bigram_cols[k] < 0 || bigram_cols[k] >= l.n_cols ||
            (k > 0 && bigram_keys[k] <= bigram_keys[k - 1])) {
            PyErr_SetString(PyExc_ValueError,
                            "token_ngram_scores: bigrams unsorted or a column out of range");
            goto done;
        }
    for (Py_ssize_t k = 0; k < n_tokens; k++)  /* heads[a]..heads[a + 1]: keys a * base + b */
        if (heads[k] < 0 || heads[k] > heads[k + 1] || heads[k + 1] > n_bigrams ||
            (heads[k] < heads[k + 1] && (bigram_keys[heads[k]] / base != k ||
                                         bigram_keys[heads[k + 1] - 1] / base != k))) {
            PyErr_SetString(PyExc_ValueError, "token_ngram_scores: bigram_heads do not match");
            goto done;
        }
    if (scratch(l.n_cols, &counts, &touched) < 0)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t t = 0; t < l.n_texts; t++) {
        Py_ssize_t n_touched = 0;
        long long prev = -1;
        for (long long j = l.text_indptr[t]; j < l.text_indptr[t + 1]; j++) {
            long long w = l.word_ids[j];
            for (long long k = l.row_indptr[w]; k < l.row_indptr[w + 1]; k++) {
                long long token = l.values[k];
                if (token >= 0) {
                    long long c = unigram_cols[token];
                    if (c >= 0 && counts[c]++ == 0)
                        touched[n_touched++] = (int)c;
                    if (prev >= 0 && heads[prev] < heads[prev + 1]) {
                        long long key = prev * base + token;
                        Py_ssize_t lo = heads[prev], hi = heads[prev + 1];
                        while (lo < hi) {
                            Py_ssize_t mid = lo + (hi - lo) / 2;
                            if (bigram_keys[mid] < key)
                                lo = mid + 1;
                            else
                                hi = mid;
                        }
                        if (lo < heads[prev + 1] && bigram_keys[lo] == key) {
                            c = bigram_cols[lo];
                            if (counts[c]++ == 0)
                                touched[n_touched++] = (int)c;
                        }
                    }
                }
                prev = token;
            }
        }
        score_text(&l, counts, touched, n_touched, t);
    }
    Py_END_ALLOW_THREADS
    return finish(1, counts, touched, buffers, 11);
done:
    return finish(0, counts, touched, buffers, 11);
}

static PyObject *
int_columns(PyObject *self, PyObject *args)
{
    PyObject *rows, *columns;
    if (!PyArg_ParseTuple(args, "O!O!:int_columns", &PyList_Type, &rows, &PyTuple_Type, &columns))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(rows), m = PyTuple_GET_SIZE(columns);
    Py_ssize_t which[8];
    long long *outs[8];
    if (m > 8) {
        PyErr_SetString(PyExc_ValueError, "int_columns: at most 8 columns");
        return NULL;
    }
    PyObject *result = PyList_New(m);
    if (result == NULL)
        return NULL;
    for (Py_ssize_t c = 0; c < m; c++) {
        which[c] = PyLong_AsSsize_t(PyTuple_GET_ITEM(columns, c));
        if (which[c] < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "int_columns: a column is negative");
            goto fail;
        }
        PyObject *buf = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(long long));
        if (buf == NULL)
            goto fail;
        PyList_SET_ITEM(result, c, buf);
        outs[c] = (long long *)PyBytes_AS_STRING(buf);
    }
    for (Py_ssize_t r = 0; r < n; r++) {
        PyObject *row = PyList_GET_ITEM(rows, r);
        if (!PyTuple_Check(row)) {
            PyErr_Format(PyExc_TypeError, "int_columns: row %zd is not a tuple", r);
            goto fail;
        }
        for (Py_ssize_t c = 0; c < m; c++) {
            if (which[c] >= PyTuple_GET_SIZE(row)) {
                PyErr_Format(PyExc_IndexError, "int_columns: row %zd is too short", r);
                goto fail;
            }
            long long v = PyLong_AsLongLong(PyTuple_GET_ITEM(row, which[c]));
            if (v == -1 && PyErr_Occurred())
                goto fail;
            outs[c][r] = v;
        }
    }
    return result;

fail:
    Py_DECREF(result);
    return NULL;
}

static PyObject *
char_wb_lookup(PyObject *self, PyObject *args)
{
    PyObject *word, *mapping;
    Py_ssize_t min_n, max_n;
    if (!PyArg_ParseTuple(args, "UO!nn:char_wb_lookup", &word, &PyDict_Type, &mapping, &min_n,
                          &max_n))
        return NULL;
    /* " word ", as scikit-learn pads it */
    Py_ssize_t word_len = PyUnicode_GET_LENGTH(word);
    PyObject *padded = PyUnicode_New(word_len + 2, PyUnicode_MAX_CHAR_VALUE(word));
    if (padded == NULL)
        return NULL;
    PyUnicode_WRITE(PyUnicode_KIND(padded), PyUnicode_DATA(padded), 0, ' ');
    PyUnicode_WRITE(PyUnicode_KIND(padded), PyUnicode_DATA(padded), word_len + 1, ' ');
    if (PyUnicode_CopyCharacters(padded, 1, word, 0, word_len) < 0) {
        Py_DECREF(padded);
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        goto fail;
    Py_ssize_t len = PyUnicode_GET_LENGTH(padded);
    for (Py_ssize_t n = min_n; n <= max_n; n++) {
        Py_ssize_t last = n >= len ? 0 : len - n;
        for (Py_ssize_t i = 0; i <= last; i++) {
            PyObject *gram = PyUnicode_Substring(padded, i, n >= len ? len : i + n);
            if (gram == NULL)
                goto fail;
            PyObject *value = PyDict_GetItemWithError(mapping, gram); /* borrowed */
            Py_DECREF(gram);
            if (value != NULL) {
                if (PyList_Append(out, value) < 0)
                    goto fail;
            }
            else if (PyErr_Occurred())
                goto fail;
        }
        if (n >= len)
            break;
    }
    Py_DECREF(padded);
    return out;

fail:
    Py_DECREF(padded);
    Py_XDECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"split_lookup", split_lookup, METH_VARARGS,
     "split_lookup(texts, mapping) -> (values, lengths, missing)"},
    {"fold_simple", fold_simple, METH_O, "fold_simple(texts) -> list"},
    {"join_runs", join_runs, METH_VARARGS, "join_runs(words, lengths[, item]) -> list[str]"},
    {"int_columns", int_columns, METH_VARARGS, "int_columns(rows, columns) -> list[bytes]"},
    {"word_rows_scores", word_rows_scores, METH_VARARGS,
     "word_rows_scores(text_indptr, word_ids, row_indptr, row_values, idf, coef, out)"},
    {"token_ngram_scores", token_ngram_scores, METH_VARARGS,
     "token_ngram_scores(text_indptr, word_ids, row_indptr, row_values, unigram_cols, "
     "bigram_keys, bigram_cols, bigram_heads, base, idf, coef, out)"},
    {"char_wb_lookup", char_wb_lookup, METH_VARARGS,
     "char_wb_lookup(word, mapping, min_n, max_n) -> list"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "moderation._speedups",
    "Optional C speed-ups (pure Python twins in moderation.words).", -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    for (int k = 1; k < TF_TABLE; k++)
        tf_table[k] = 1.0 + log((double)k);
    return PyModule_Create(&module);
}
