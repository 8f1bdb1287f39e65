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
 * dense_rows_scores(text_indptr, word_ids, rows, caps, scale, coef, out)   (moderation.features)
 *   A linear model's scores of features that are sums of per-word rows of numbers: for text
 *   t, v = the sum of rows[w] over its words w = word_ids[text_indptr[t]:text_indptr[t + 1]],
 *   each column capped at caps[c], then log(1 + v) * scale; out[t, l] = sum over columns c of
 *   v[c] * coef[c, l]. Buffers: int64, int64, float64 (words x columns, C order), float64
 *   (columns), float64 (columns x labels, C order), float64 (texts x labels, written).
 *
 * WordTable()   (moderation.normalize_batch)
 *   A table of words (str) -> entries: tuples (normalised word: str, flags: int, number:
 *   int). A word's place in the table is its slot (0, 1, ... in the order added). Its hash
 *   is the interpreter's keyed hash of the word's characters, so crafted words do not
 *   collide more than in a dict.
 *   lookup(texts) -> (slots, lengths, missing): the slot of every white-space separated word
 *     of every text (split as str.split() does), one after another, -1 for a word not in the
 *     table; the number of words of each text (both as bytearrays of native int64); and
 *     (position, word) for each word not in the table. No string is created for a word
 *     the table holds.
 *   add(word, entry) -> slot (the slot the word has already, if it has one); get(word) ->
 *     entry or None; columns(slots) -> (flags, numbers) of those slots (bytearrays of int64);
 *     norms(slots) -> their normalised words; join(slots, lengths) -> " ".join of the
 *     normalised words of each run of lengths[t] slots; len(table).
 *   token_rows(words) -> list of lists: for each word, the number of each of its tokens
 *     (longest runs of word characters, '*' and "'", as the regular expression [\w*']+
 *     finds them: \w is a letter, digit or number of Unicode, or '_'), -1 for a token the
 *     table does not hold.
 *   char_wb_rows(words, min_n, max_n) -> list of lists: for each word, the numbers of the
 *     character n-grams of " word " that the table holds (a table of n-grams: entries
 *     (gram, 0, column)), as scikit-learn's char_wb analyzer cuts them (n from min_n to
 *     max_n; a padded word no longer than n counts once, whole, and ends it).
 *
 * link_runs(flags, lengths) -> (texts, firsts, lasts)   (moderation.normalize_batch)
 *   The runs of words that step 4 of normalisation may reach across, in every text of a
 *   batch: text t is the next lengths[t] words, flags[k] the flags of word k (NUM 1, CUR 2,
 *   SINGLE 4, PROMO 8, SEP 16, LEFT 32, RIGHT 64; see normalize_batch). A span of linked words
 *   is: a promo word with the word before and the two after; a lone letter (SINGLE) between
 *   a LEFT and a RIGHT word; in each longest stretch of NUM, CUR or SEP words, from its first
 *   NUM or CUR word that is not SEP up to its last SEP word or, when the stretch holds a NUM
 *   word, up to its last non-SEP word if that comes later. Spans are cut to the text and
 *   those that share a word are merged; one with a single word is no run. Out: for each run,
 *   its text and its first and last word (local to the text), in order; int64 bytearrays.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

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

/* The next white-space separated word (as str.split() cuts them) from *j: 0 when there is
 * none, else 1 with the word at [*start, *j) and its largest character in *maxchar. */
static int
next_word(int kind, const void *data, Py_ssize_t len, Py_ssize_t *j, Py_ssize_t *start,
          Py_UCS4 *maxchar)
{
    Py_ssize_t k = *j;
    while (k < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)))
        k++;
    if (k >= len) {
        *j = k;
        return 0;
    }
    *start = k;
    Py_UCS4 top = 0;
    while (k < len) {
        Py_UCS4 c = PyUnicode_READ(kind, data, k);
        if (Py_UNICODE_ISSPACE(c))
            break;
        if (c > top)
            top = c;
        k++;
    }
    *j = k;
    *maxchar = top;
    return 1;
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
        Py_ssize_t count = 0, j = 0, start;
        Py_UCS4 maxchar;
        while (next_word(kind, data, len, &j, &start, &maxchar)) {
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
        PyErr_Format(PyExc_TypeError, "the buffer %s must hold %zd-byte items", name, itemsize);
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
dense_rows_scores(PyObject *self, PyObject *args)
{
    Py_buffer tb, wb, rb, kb, cb, ob;
    double scale;
    if (!PyArg_ParseTuple(args, "y*y*y*y*dy*w*:dense_rows_scores", &tb, &wb, &rb, &kb, &scale,
                          &cb, &ob))
        return NULL;
    Py_buffer *buffers[] = {&tb, &wb, &rb, &kb, &cb, &ob};
    int ok = 0;
    double *sums = NULL;
    if (check_buffer(&tb, 8, "text_indptr") || check_buffer(&wb, 8, "word_ids") ||
        check_buffer(&rb, 8, "rows") || check_buffer(&kb, 8, "caps") ||
        check_buffer(&cb, 8, "coef") || check_buffer(&ob, 8, "out"))
        goto done;
    const long long *indptr = tb.buf, *ids = wb.buf;
    const double *rows = rb.buf, *caps = kb.buf, *coef = cb.buf;
    double *out = ob.buf;
    Py_ssize_t n_texts = tb.len / 8 - 1, n_occ = wb.len / 8, k = kb.len / 8;
    if (n_texts < 0 || k == 0 || (rb.len / 8) % k != 0 || (cb.len / 8) % k != 0) {
        PyErr_SetString(PyExc_ValueError, "dense_rows_scores: inconsistent sizes");
        goto done;
    }
    Py_ssize_t n_rows = (rb.len / 8) / k, n_labels = (cb.len / 8) / k;
    if (ob.len / 8 != n_texts * n_labels || indptr[0] != 0 || indptr[n_texts] != n_occ) {
        PyErr_SetString(PyExc_ValueError, "dense_rows_scores: inconsistent sizes");
        goto done;
    }
    for (Py_ssize_t t = 0; t < n_texts; t++)
        if (indptr[t + 1] < indptr[t]) {
            PyErr_SetString(PyExc_ValueError, "dense_rows_scores: text_indptr decreases");
            goto done;
        }
    for (Py_ssize_t j = 0; j < n_occ; j++)
        if (ids[j] < 0 || ids[j] >= n_rows) {
            PyErr_SetString(PyExc_ValueError, "dense_rows_scores: a word id is out of range");
            goto done;
        }
    if ((sums = PyMem_Malloc(k * sizeof(double))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        for (Py_ssize_t c = 0; c < k; c++)
            sums[c] = 0.0;
        for (long long j = indptr[t]; j < indptr[t + 1]; j++) {
            const double *row = rows + ids[j] * k;
            for (Py_ssize_t c = 0; c < k; c++)
                sums[c] += row[c];
        }
        double *o = out + t * n_labels;
        for (Py_ssize_t l = 0; l < n_labels; l++)
            o[l] = 0.0;
        for (Py_ssize_t c = 0; c < k; c++) {
            double v = sums[c] < caps[c] ? sums[c] : caps[c];
            if (v == 0.0)
                continue;
            v = log1p(v) * scale;
            for (Py_ssize_t l = 0; l < n_labels; l++)
                o[l] += v * coef[c * n_labels + l];
        }
    }
    Py_END_ALLOW_THREADS
    ok = 1;
done:
    PyMem_Free(sums);
    for (int i = 0; i < 6; i++)
        PyBuffer_Release(buffers[i]);
    return ok ? Py_NewRef(Py_None) : NULL;
}


/* ---------------------------------------------------------------- WordTable */
/* A bucket holds a key's hash and slot, and its characters when they fit (most words and
 * n-grams): a look-up then reads one bucket, not the key. */
#define INLINE_BYTES 16
typedef struct {
    Py_hash_t hash;
    int32_t slot1;               /* slot + 1; 0: empty */
    uint8_t kind, nbytes;        /* nbytes: up to 255 (longer keys: compared in full) */
    unsigned char key[INLINE_BYTES]; /* the key's bytes when nbytes <= INLINE_BYTES, 0-padded */
} Bucket;

typedef struct {
    PyObject_HEAD
    Py_ssize_t size, capacity, n_buckets; /* n_buckets: a power of two */
    PyObject **keys, **values;
    long long *flags, *numbers;
    Bucket *buckets;
} WordTable;

#define SHORT_WORD 64 /* longer words are looked up through a new str */

static Py_hash_t
chars_hash(int kind, const void *data, Py_ssize_t n)
{
#if PY_VERSION_HEX >= 0x030E0000
    return Py_HashBuffer(data, n * kind);
#else
    return _Py_HashBytes(data, n * kind);
#endif
}

/* The slot of the word with these canonical characters, or -1. */
static Py_ssize_t
table_find(WordTable *t, Py_hash_t hash, int kind, const void *data, Py_ssize_t n)
{
    if (t->n_buckets == 0)
        return -1;
    Py_ssize_t nbytes = n * kind;
    unsigned char probe[INLINE_BYTES] = {0};
    if (nbytes <= INLINE_BYTES)
        memcpy(probe, data, nbytes);
    uint8_t short_bytes = nbytes < 255 ? (uint8_t)nbytes : 255;
    size_t mask = (size_t)t->n_buckets - 1, i = (size_t)hash & mask;
    for (;;) {
        const Bucket *b = &t->buckets[i];
        if (b->slot1 == 0)
            return -1;
        if (b->hash == hash && b->kind == kind && b->nbytes == short_bytes) {
            if (nbytes <= INLINE_BYTES) {
                if (memcmp(b->key, probe, INLINE_BYTES) == 0)
                    return b->slot1 - 1;
            }
            else {
                PyObject *key = t->keys[b->slot1 - 1];
                if (PyUnicode_GET_LENGTH(key) == n &&
                    memcmp(PyUnicode_DATA(key), data, nbytes) == 0)
                    return b->slot1 - 1;
            }
        }
        i = (i + 1) & mask;
    }
}

static void
bucket_place(Bucket *buckets, Py_ssize_t n_buckets, const Bucket *b)
{
    size_t mask = (size_t)n_buckets - 1, i = (size_t)b->hash & mask;
    while (buckets[i].slot1 != 0)
        i = (i + 1) & mask;
    buckets[i] = *b;
}

static int
table_rehash(WordTable *t, Py_ssize_t n_buckets)
{
    Bucket *buckets = PyMem_Calloc(n_buckets, sizeof(Bucket));
    if (buckets == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < t->n_buckets; i++)
        if (t->buckets[i].slot1 != 0)
            bucket_place(buckets, n_buckets, &t->buckets[i]);
    PyMem_Free(t->buckets);
    t->buckets = buckets;
    t->n_buckets = n_buckets;
    return 0;
}

static int
grow(void **array, Py_ssize_t capacity, size_t itemsize)
{
    void *p = PyMem_Realloc(*array, capacity * itemsize);
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *array = p;
    return 0;
}

/* A new slot for word (not in the table) with entry; -1 with an exception. */
static Py_ssize_t
table_insert(WordTable *t, PyObject *word, Py_hash_t hash, PyObject *entry)
{
    if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 3 ||
        !PyUnicode_Check(PyTuple_GET_ITEM(entry, 0)) ||
        !PyLong_Check(PyTuple_GET_ITEM(entry, 1)) || !PyLong_Check(PyTuple_GET_ITEM(entry, 2))) {
        PyErr_SetString(PyExc_TypeError, "WordTable: an entry is a tuple (str, int, int)");
        return -1;
    }
    long long flags = PyLong_AsLongLong(PyTuple_GET_ITEM(entry, 1));
    long long number = PyLong_AsLongLong(PyTuple_GET_ITEM(entry, 2));
    if ((flags == -1 || number == -1) && PyErr_Occurred())
        return -1;
    if (t->size >= INT32_MAX - 1) {
        PyErr_SetString(PyExc_OverflowError, "WordTable: too many words");
        return -1;
    }
    if (t->size == t->capacity) {
        Py_ssize_t capacity = t->capacity ? 2 * t->capacity : 1024;
        if (grow((void **)&t->keys, capacity, sizeof(PyObject *)) < 0 ||
            grow((void **)&t->values, capacity, sizeof(PyObject *)) < 0 ||
            grow((void **)&t->flags, capacity, sizeof(long long)) < 0 ||
            grow((void **)&t->numbers, capacity, sizeof(long long)) < 0)
            return -1;
        t->capacity = capacity;
    }
    if (2 * (t->size + 1) > t->n_buckets &&
        table_rehash(t, t->n_buckets ? 2 * t->n_buckets : 2048) < 0)
        return -1;
    Py_ssize_t s = t->size;
    t->keys[s] = Py_NewRef(word);
    t->values[s] = Py_NewRef(entry);
    t->flags[s] = flags;
    t->numbers[s] = number;
    Bucket b = {0};
    Py_ssize_t nbytes = PyUnicode_GET_LENGTH(word) * PyUnicode_KIND(word);
    b.hash = hash;
    b.slot1 = (int32_t)(s + 1);
    b.kind = (uint8_t)PyUnicode_KIND(word);
    b.nbytes = nbytes < 255 ? (uint8_t)nbytes : 255;
    if (nbytes <= INLINE_BYTES)
        memcpy(b.key, PyUnicode_DATA(word), nbytes);
    bucket_place(t->buckets, t->n_buckets, &b);
    t->size = s + 1;
    return s;
}

static Py_ssize_t
table_find_str(WordTable *t, PyObject *word, Py_hash_t *hash)
{
    *hash = chars_hash(PyUnicode_KIND(word), PyUnicode_DATA(word), PyUnicode_GET_LENGTH(word));
    return table_find(t, *hash, PyUnicode_KIND(word), PyUnicode_DATA(word),
                      PyUnicode_GET_LENGTH(word));
}

static PyObject *
table_add(WordTable *t, PyObject *args)
{
    PyObject *word, *entry;
    if (!PyArg_ParseTuple(args, "UO:add", &word, &entry))
        return NULL;
    Py_hash_t hash;
    Py_ssize_t s = table_find_str(t, word, &hash);
    if (s < 0)
        s = table_insert(t, word, hash, entry);
    return s < 0 ? NULL : PyLong_FromSsize_t(s);
}

static PyObject *
table_get(WordTable *t, PyObject *word)
{
    if (!PyUnicode_Check(word)) {
        PyErr_SetString(PyExc_TypeError, "WordTable.get: a word is a str");
        return NULL;
    }
    Py_hash_t hash;
    Py_ssize_t s = table_find_str(t, word, &hash);
    return Py_NewRef(s < 0 ? Py_None : t->values[s]);
}

/* A growable buffer of int64. */
typedef struct {
    long long *items;
    Py_ssize_t size, capacity;
} Int64s;

static int
int64s_push(Int64s *a, long long v)
{
    if (a->size == a->capacity) {
        Py_ssize_t capacity = a->capacity ? 2 * a->capacity : 4096;
        if (grow((void **)&a->items, capacity, sizeof(long long)) < 0)
            return -1;
        a->capacity = capacity;
    }
    a->items[a->size++] = v;
    return 0;
}

static PyObject *
int64s_bytearray(Int64s *a)
{
    return PyByteArray_FromStringAndSize((const char *)a->items, a->size * sizeof(long long));
}

static PyObject *
table_lookup(WordTable *t, PyObject *texts)
{
    PyObject *tuple = PySequence_Tuple(texts); /* the texts cannot change under the loop */
    if (tuple == NULL)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    Int64s slots = {NULL, 0, 0}, lengths = {NULL, 0, 0};
    PyObject *missing = PyList_New(0), *result = NULL;
    union {
        Py_UCS1 b1[SHORT_WORD];
        Py_UCS2 b2[SHORT_WORD];
    } buf;
    if (missing == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyTuple_GET_ITEM(tuple, i);
        Py_ssize_t len;
        int kind;
        const void *data;
        if (text_parts("WordTable.lookup", i, text, &len, &kind, &data) < 0)
            goto done;
        Py_ssize_t count = 0, j = 0, start;
        Py_UCS4 maxchar;
        while (next_word(kind, data, len, &j, &start, &maxchar)) {
            Py_ssize_t wn = j - start, s;
            int wkind = maxchar < 0x100 ? 1 : maxchar < 0x10000 ? 2 : 4;
            PyObject *word = NULL;
            if (wkind == kind) { /* the text's own characters are the word's canonical ones */
                const char *p = (const char *)data + start * kind;
                s = table_find(t, chars_hash(kind, p, wn), kind, p, wn);
            }
            else if (wn <= SHORT_WORD) { /* narrower than the text: copied */
                for (Py_ssize_t m = 0; m < wn; m++) {
                    Py_UCS4 c = PyUnicode_READ(kind, data, start + m);
                    if (wkind == 1)
                        buf.b1[m] = (Py_UCS1)c;
                    else
                        buf.b2[m] = (Py_UCS2)c;
                }
                s = table_find(t, chars_hash(wkind, &buf, wn), wkind, &buf, wn);
            }
            else {
                word = PyUnicode_Substring(text, start, j);
                if (word == NULL)
                    goto done;
                Py_hash_t hash;
                s = table_find_str(t, word, &hash);
            }
            if (s < 0) {
                if (word == NULL && (word = PyUnicode_Substring(text, start, j)) == NULL)
                    goto done;
                PyObject *pair = Py_BuildValue("(nN)", slots.size, word);
                word = NULL;
                if (append_steal(missing, pair) < 0)
                    goto done;
            }
            Py_XDECREF(word);
            if (int64s_push(&slots, s) < 0)
                goto done;
            count++;
        }
        if (int64s_push(&lengths, count) < 0)
            goto done;
    }
    PyObject *a = int64s_bytearray(&slots), *b = int64s_bytearray(&lengths);
    if (a != NULL && b != NULL)
        result = PyTuple_Pack(3, a, b, missing);
    Py_XDECREF(a);
    Py_XDECREF(b);
done:
    Py_DECREF(tuple);
    Py_XDECREF(missing);
    PyMem_Free(slots.items);
    PyMem_Free(lengths.items);
    return result;
}

/* The slots of a bytes-like of int64, each checked; NULL with an exception. */
static const long long *
read_slots(WordTable *t, Py_buffer *b, Py_ssize_t *n)
{
    if (b->itemsize != 1 && b->itemsize != 8) {
        PyErr_SetString(PyExc_TypeError, "WordTable: slots are int64");
        return NULL;
    }
    if (b->len % 8 != 0) {
        PyErr_SetString(PyExc_ValueError, "WordTable: slots are int64");
        return NULL;
    }
    const long long *slots = b->buf;
    *n = b->len / 8;
    for (Py_ssize_t k = 0; k < *n; k++)
        if (slots[k] < 0 || slots[k] >= t->size) {
            PyErr_Format(PyExc_ValueError, "WordTable: slot %lld is not in the table", slots[k]);
            return NULL;
        }
    return slots;
}

static PyObject *
table_columns(WordTable *t, PyObject *arg)
{
    Py_buffer b;
    if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_ssize_t n;
    PyObject *flags = NULL, *numbers = NULL, *result = NULL;
    const long long *slots = read_slots(t, &b, &n);
    if (slots == NULL)
        goto done;
    flags = PyByteArray_FromStringAndSize(NULL, n * 8);
    numbers = PyByteArray_FromStringAndSize(NULL, n * 8);
    if (flags == NULL || numbers == NULL)
        goto done;
    long long *f = (long long *)PyByteArray_AS_STRING(flags);
    long long *m = (long long *)PyByteArray_AS_STRING(numbers);
    for (Py_ssize_t k = 0; k < n; k++) {
        f[k] = t->flags[slots[k]];
        m[k] = t->numbers[slots[k]];
    }
    result = PyTuple_Pack(2, flags, numbers);
done:
    Py_XDECREF(flags);
    Py_XDECREF(numbers);
    PyBuffer_Release(&b);
    return result;
}

static PyObject *
table_norms(WordTable *t, PyObject *arg)
{
    Py_buffer b;
    if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_ssize_t n;
    PyObject *out = NULL;
    const long long *slots = read_slots(t, &b, &n);
    if (slots != NULL && (out = PyList_New(n)) != NULL)
        for (Py_ssize_t k = 0; k < n; k++)
            PyList_SET_ITEM(out, k, Py_NewRef(PyTuple_GET_ITEM(t->values[slots[k]], 0)));
    PyBuffer_Release(&b);
    return out;
}

static PyObject *
table_join(WordTable *t, PyObject *args)
{
    PyObject *arg, *lengths;
    if (!PyArg_ParseTuple(args, "OO:join", &arg, &lengths))
        return NULL;
    Py_buffer b, lb;
    if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0)
        return NULL;
    if (PyObject_GetBuffer(lengths, &lb, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&b);
        return NULL;
    }
    Py_ssize_t n, at = 0;
    PyObject *out = NULL, *space = NULL, *run = NULL;
    const long long *slots = read_slots(t, &b, &n), *counts = lb.buf;
    Py_ssize_t n_runs = lb.len / 8;
    if (slots == NULL)
        goto fail;
    if (lb.len % 8 != 0) {
        PyErr_SetString(PyExc_ValueError, "WordTable.join: lengths are int64");
        goto fail;
    }
    if ((space = PyUnicode_FromString(" ")) == NULL || (out = PyList_New(n_runs)) == NULL)
        goto fail;
    for (Py_ssize_t r = 0; r < n_runs; r++) {
        long long k = counts[r];
        if (k < 0 || k > n - at) {
            PyErr_SetString(PyExc_ValueError, "WordTable.join: lengths do not match slots");
            goto fail;
        }
        if ((run = PyList_New(k)) == NULL)
            goto fail;
        for (long long m = 0; m < k; m++)
            PyList_SET_ITEM(run, m, Py_NewRef(PyTuple_GET_ITEM(t->values[slots[at + m]], 0)));
        PyObject *joined = PyUnicode_Join(space, run);
        Py_CLEAR(run);
        if (joined == NULL)
            goto fail;
        PyList_SET_ITEM(out, r, joined);
        at += k;
    }
    Py_DECREF(space);
    PyBuffer_Release(&b);
    PyBuffer_Release(&lb);
    return out;
fail:
    Py_XDECREF(space);
    Py_XDECREF(out);
    PyBuffer_Release(&b);
    PyBuffer_Release(&lb);
    return NULL;
}

/* The characters chars[0:n] in their canonical width (*kind), copied to scratch when
 * narrower than UCS4. */
static const void *
canonical(const Py_UCS4 *chars, Py_ssize_t n, void *scratch, int *kind)
{
    Py_UCS4 maxchar = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (chars[i] > maxchar)
            maxchar = chars[i];
    *kind = maxchar < 0x100 ? 1 : maxchar < 0x10000 ? 2 : 4;
    if (*kind == 1) {
        for (Py_ssize_t i = 0; i < n; i++)
            ((Py_UCS1 *)scratch)[i] = (Py_UCS1)chars[i];
        return scratch;
    }
    if (*kind == 2) {
        for (Py_ssize_t i = 0; i < n; i++)
            ((Py_UCS2 *)scratch)[i] = (Py_UCS2)chars[i];
        return scratch;
    }
    return chars;
}

/* Growable UCS4 buffers for one word at a time: its characters and scratch room for the
 * canonical copy of any stretch of them. */
typedef struct {
    Py_UCS4 *chars, *scratch;
    Py_ssize_t capacity;
} CharBuf;

/* Reads word i (which must be a str) into buf->chars[pad:pad + len], with pad more slots on
 * each side; its length, or -1 with an exception. */
static Py_ssize_t
read_chars(const char *fn, Py_ssize_t i, PyObject *word, Py_ssize_t pad, CharBuf *buf)
{
    Py_ssize_t len;
    int kind;
    const void *data;
    if (text_parts(fn, i, word, &len, &kind, &data) < 0)
        return -1;
    if (len + 2 * pad > buf->capacity) {
        Py_ssize_t capacity = 2 * (len + 2 * pad) > 64 ? 2 * (len + 2 * pad) : 64;
        PyMem_Free(buf->chars);
        PyMem_Free(buf->scratch);
        buf->chars = PyMem_Malloc(capacity * sizeof(Py_UCS4));
        buf->scratch = PyMem_Malloc(capacity * sizeof(Py_UCS4));
        buf->capacity = buf->chars && buf->scratch ? capacity : 0;
        if (buf->capacity == 0) {
            PyErr_NoMemory();
            return -1;
        }
    }
    for (Py_ssize_t j = 0; j < len; j++)
        buf->chars[pad + j] = PyUnicode_READ(kind, data, j);
    return len;
}

static void
charbuf_free(CharBuf *buf)
{
    PyMem_Free(buf->chars);
    PyMem_Free(buf->scratch);
}

/* A character of a word token: what [\w*']+ takes (\w as the re module reads it). */
static inline int
is_token_char(Py_UCS4 c)
{
    return Py_UNICODE_ISALNUM(c) || c == '_' || c == '*' || c == '\'';
}

static PyObject *
table_token_rows(WordTable *t, PyObject *words)
{
    PyObject *tuple = PySequence_Tuple(words);
    if (tuple == NULL)
        return NULL;
    Py_ssize_t n_words = PyTuple_GET_SIZE(tuple);
    CharBuf buf = {NULL, NULL, 0};
    PyObject *out = PyList_New(n_words), *row = NULL, *result = NULL;
    if (out == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n_words; i++) {
        Py_ssize_t len = read_chars("token_rows", i, PyTuple_GET_ITEM(tuple, i), 0, &buf);
        if (len < 0 || (row = PyList_New(0)) == NULL)
            goto done;
        const Py_UCS4 *chars = buf.chars;
        for (Py_ssize_t j = 0; j < len;) {
            if (!is_token_char(chars[j])) {
                j++;
                continue;
            }
            Py_ssize_t start = j;
            while (j < len && is_token_char(chars[j]))
                j++;
            int tkind;
            const void *token = canonical(chars + start, j - start, buf.scratch, &tkind);
            Py_ssize_t s = table_find(t, chars_hash(tkind, token, j - start), tkind, token,
                                      j - start);
            if (append_steal(row, PyLong_FromLongLong(s >= 0 ? t->numbers[s] : -1)) < 0)
                goto done;
        }
        PyList_SET_ITEM(out, i, row);
        row = NULL;
    }
    result = Py_NewRef(out);
done:
    charbuf_free(&buf);
    Py_DECREF(tuple);
    Py_XDECREF(row);
    Py_XDECREF(out);
    return result;
}

static PyObject *
table_char_wb_rows(WordTable *t, PyObject *args)
{
    PyObject *words;
    Py_ssize_t min_n, max_n;
    if (!PyArg_ParseTuple(args, "Onn:char_wb_rows", &words, &min_n, &max_n))
        return NULL;
    if (min_n < 1 || max_n < min_n) {
        PyErr_SetString(PyExc_ValueError, "char_wb_rows: need 1 <= min_n <= max_n");
        return NULL;
    }
    PyObject *tuple = PySequence_Tuple(words);
    if (tuple == NULL)
        return NULL;
    Py_ssize_t n_words = PyTuple_GET_SIZE(tuple), n_sizes = max_n - min_n + 1, n_hashes = 0;
    CharBuf buf = {NULL, NULL, 0};
    Py_hash_t *hashes = NULL;
    PyObject *out = PyList_New(n_words), *row = NULL, *result = NULL;
    if (out == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n_words; i++) {
        /* " word ", as scikit-learn pads it */
        Py_ssize_t len = read_chars("char_wb_rows", i, PyTuple_GET_ITEM(tuple, i), 1, &buf);
        if (len < 0)
            goto done;
        if (n_sizes * buf.capacity > n_hashes) { /* a hash per n-gram: at most this many */
            PyMem_Free(hashes);
            hashes = buf.capacity <= PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(Py_hash_t) / n_sizes ?
                PyMem_Malloc(n_sizes * buf.capacity * sizeof(Py_hash_t)) : NULL;
            n_hashes = hashes ? n_sizes * buf.capacity : 0;
            if (hashes == NULL) {
                PyErr_NoMemory();
                goto done;
            }
        }
        Py_UCS4 *padded = buf.chars;
        Py_ssize_t w = len + 2;
        padded[0] = padded[w - 1] = ' ';
        if ((row = PyList_New(0)) == NULL)
            goto done;
        /* two passes over the n-grams: the first hashes them and asks the CPU for their
         * buckets, the second looks them up (by then, mostly in cache) */
        for (int pass = 0; pass < 2; pass++) {
            Py_ssize_t k = 0;
            for (Py_ssize_t n = min_n; n <= max_n; n++) {
                Py_ssize_t size = n >= w ? w : n, last = n >= w ? 0 : w - n;
                for (Py_ssize_t at = 0; at <= last; at++, k++) {
                    int gkind;
                    const void *gram = canonical(padded + at, size, buf.scratch, &gkind);
                    if (pass == 0) {
                        hashes[k] = chars_hash(gkind, gram, size);
                        if (t->n_buckets)
                            __builtin_prefetch(
                                &t->buckets[(size_t)hashes[k] & ((size_t)t->n_buckets - 1)]);
                        continue;
                    }
                    Py_ssize_t s = table_find(t, hashes[k], gkind, gram, size);
                    if (s >= 0 && append_steal(row, PyLong_FromLongLong(t->numbers[s])) < 0)
                        goto done;
                }
                if (n >= w)
                    break;
            }
        }
        PyList_SET_ITEM(out, i, row);
        row = NULL;
    }
    result = Py_NewRef(out);
done:
    charbuf_free(&buf);
    PyMem_Free(hashes);
    Py_DECREF(tuple);
    Py_XDECREF(row);
    Py_XDECREF(out);
    return result;
}

static Py_ssize_t
table_len(WordTable *t)
{
    return t->size;
}

static void
table_dealloc(WordTable *t)
{
    for (Py_ssize_t s = 0; s < t->size; s++) {
        Py_DECREF(t->keys[s]);
        Py_DECREF(t->values[s]);
    }
    PyMem_Free(t->keys);
    PyMem_Free(t->values);
    PyMem_Free(t->flags);
    PyMem_Free(t->numbers);
    PyMem_Free(t->buckets);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static PyMethodDef table_methods[] = {
    {"lookup", (PyCFunction)table_lookup, METH_O,
     "lookup(texts) -> (slots, lengths, missing)"},
    {"add", (PyCFunction)table_add, METH_VARARGS, "add(word, entry) -> slot"},
    {"get", (PyCFunction)table_get, METH_O, "get(word) -> entry or None"},
    {"columns", (PyCFunction)table_columns, METH_O, "columns(slots) -> (flags, numbers)"},
    {"norms", (PyCFunction)table_norms, METH_O, "norms(slots) -> list[str]"},
    {"join", (PyCFunction)table_join, METH_VARARGS, "join(slots, lengths) -> list[str]"},
    {"token_rows", (PyCFunction)table_token_rows, METH_O, "token_rows(words) -> list[list[int]]"},
    {"char_wb_rows", (PyCFunction)table_char_wb_rows, METH_VARARGS,
     "char_wb_rows(words, min_n, max_n) -> list[list[int]]"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods table_as_sequence = {.sq_length = (lenfunc)table_len};

static PyTypeObject WordTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "moderation._speedups.WordTable",
    .tp_basicsize = sizeof(WordTable),
    .tp_dealloc = (destructor)table_dealloc,
    .tp_as_sequence = &table_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "WordTable() -> a table of words and their entries (see the module's comment)",
    .tp_methods = table_methods,
    .tp_new = PyType_GenericNew,
};

/* ---------------------------------------------------------------- link_runs */
enum { F_NUM = 1, F_CUR = 2, F_SINGLE = 4, F_PROMO = 8, F_SEP = 16, F_LEFT = 32, F_RIGHT = 64 };

typedef struct {
    long long first, last;
} Span;

typedef struct {
    Span *items;
    Py_ssize_t size, capacity;
} Spans;

static int
spans_push(Spans *a, long long first, long long last, long long n)
{
    if (first < 0)
        first = 0;
    if (last > n - 1)
        last = n - 1;
    if (first >= last)
        return 0;
    if (a->size == a->capacity) {
        Py_ssize_t capacity = a->capacity ? 2 * a->capacity : 64;
        if (grow((void **)&a->items, capacity, sizeof(Span)) < 0)
            return -1;
        a->capacity = capacity;
    }
    a->items[a->size].first = first;
    a->items[a->size].last = last;
    a->size++;
    return 0;
}

/* The spans of one text's n words (flags f), cut to the text; -1 with MemoryError. */
static int
text_spans(const long long *f, long long n, Spans *spans)
{
    for (long long k = 0; k < n; k++) {
        if ((f[k] & F_PROMO) && spans_push(spans, k - 1, k + 2, n) < 0)
            return -1;
        if (k + 2 < n && (f[k] & F_LEFT) && (f[k + 1] & F_SINGLE) && (f[k + 2] & F_RIGHT) &&
            spans_push(spans, k, k + 2, n) < 0)
            return -1;
    }
    const long long numeric = F_NUM | F_CUR | F_SEP;
    for (long long k = 0; k < n;) {
        if (!(f[k] & numeric)) {
            k++;
            continue;
        }
        long long end = k, first = -1;
        while (end < n && (f[end] & numeric)) {
            if (first < 0 && (f[end] & (F_NUM | F_CUR)) && !(f[end] & F_SEP))
                first = end;
            end++;
        }
        if (first >= 0) {
            long long upto = first, last_number = first;
            int has_number = 0;
            for (long long i = first; i < end; i++) {
                if (f[i] & F_SEP)
                    upto = i;
                else {
                    last_number = i;
                    has_number |= (f[i] & F_NUM) != 0;
                }
            }
            if (has_number && last_number > upto)
                upto = last_number;
            if (upto > first && spans_push(spans, first, upto, n) < 0)
                return -1;
        }
        k = end;
    }
    return 0;
}

static PyObject *
link_runs(PyObject *self, PyObject *args)
{
    Py_buffer fb, lb;
    if (!PyArg_ParseTuple(args, "y*y*:link_runs", &fb, &lb))
        return NULL;
    Int64s texts = {NULL, 0, 0}, firsts = {NULL, 0, 0}, lasts = {NULL, 0, 0};
    Spans spans = {NULL, 0, 0};
    PyObject *result = NULL;
    if (fb.len % 8 != 0 || lb.len % 8 != 0 || (fb.itemsize != 1 && fb.itemsize != 8) ||
        (lb.itemsize != 1 && lb.itemsize != 8)) {
        PyErr_SetString(PyExc_TypeError, "link_runs: flags and lengths are int64");
        goto done;
    }
    const long long *flags = fb.buf, *lengths = lb.buf;
    Py_ssize_t n_words = fb.len / 8, n_texts = lb.len / 8, at = 0;
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        if (lengths[t] < 0 || lengths[t] > n_words - at) {
            PyErr_SetString(PyExc_ValueError, "link_runs: lengths do not match flags");
            goto done;
        }
        at += lengths[t];
    }
    if (at != n_words) {
        PyErr_SetString(PyExc_ValueError, "link_runs: lengths do not match flags");
        goto done;
    }
    at = 0;
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        spans.size = 0;
        if (text_spans(flags + at, lengths[t], &spans) < 0)
            goto done;
        at += lengths[t];
        /* in order of first word (insertion sort: a text has few), then merged */
        for (Py_ssize_t i = 1; i < spans.size; i++) {
            Span x = spans.items[i];
            Py_ssize_t j = i;
            while (j > 0 && spans.items[j - 1].first > x.first) {
                spans.items[j] = spans.items[j - 1];
                j--;
            }
            spans.items[j] = x;
        }
        for (Py_ssize_t i = 0; i < spans.size;) {
            long long first = spans.items[i].first, last = spans.items[i].last;
            for (i++; i < spans.size && spans.items[i].first <= last; i++)
                if (spans.items[i].last > last)
                    last = spans.items[i].last;
            if (int64s_push(&texts, t) < 0 || int64s_push(&firsts, first) < 0 ||
                int64s_push(&lasts, last) < 0)
                goto done;
        }
    }
    PyObject *a = int64s_bytearray(&texts), *b = int64s_bytearray(&firsts),
             *c = int64s_bytearray(&lasts);
    if (a != NULL && b != NULL && c != NULL)
        result = PyTuple_Pack(3, a, b, c);
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(c);
done:
    PyMem_Free(texts.items);
    PyMem_Free(firsts.items);
    PyMem_Free(lasts.items);
    PyMem_Free(spans.items);
    PyBuffer_Release(&fb);
    PyBuffer_Release(&lb);
    return result;
}

static PyMethodDef methods[] = {
    {"split_lookup", split_lookup, METH_VARARGS,
     "split_lookup(texts, mapping) -> (values, lengths, missing)"},
    {"fold_simple", fold_simple, METH_O, "fold_simple(texts) -> list"},
    {"word_rows_scores", word_rows_scores, METH_VARARGS,
     "word_rows_scores(text_indptr, word_ids, row_indptr, row_values, idf, coef, out)"},
    {"token_ngram_scores", token_ngram_scores, METH_VARARGS,
     "token_ngram_scores(text_indptr, word_ids, row_indptr, row_values, unigram_cols, "
     "bigram_keys, bigram_cols, bigram_heads, base, idf, coef, out)"},
    {"dense_rows_scores", dense_rows_scores, METH_VARARGS,
     "dense_rows_scores(text_indptr, word_ids, rows, caps, scale, coef, out)"},
    {"link_runs", link_runs, METH_VARARGS, "link_runs(flags, lengths) -> (texts, firsts, lasts)"},
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
    if (PyType_Ready(&WordTableType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "WordTable", (PyObject *)&WordTableType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
