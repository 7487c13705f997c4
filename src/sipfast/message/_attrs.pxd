# Attribute lookup for the accessors read on every message.
#
# CPython 3.11 does not specialise an attribute load that finds a getset descriptor (a
# Cython property or ``cdef readonly`` attribute): every ``msg.call_id`` or
# ``via.branch`` walks the generic lookup (method cache, descriptor checks) before it
# reaches the getter, about 7 ns of the 20 a read costs.  fast_getattr() gives a type a
# tp_getattro that first compares the name, by identity, with the interned names of the
# accessors it was given and calls their getters directly (or returns the class
# attribute).  Any other name, and any subclass, takes the generic lookup, so what an
# attribute answers never changes; only how it is found.  Each module including this
# has its own table.

cdef extern from *:
    """
    typedef struct { PyObject *name; getter get; void *closure; PyObject *value; } sf_attr;
    #define SF_SLOT_BITS 5   /* a table of 32 slots, at most 16 names: short probes */
    #define SF_MAX_ATTRS 16
    #define SF_MAX_TYPES 8
    typedef struct { PyTypeObject *type; sf_attr slots[1 << SF_SLOT_BITS]; } sf_attrs;
    static sf_attrs sf_fast_attrs[SF_MAX_TYPES];
    static int sf_fast_types = 0;

    static inline unsigned sf_slot(PyObject *name) {  /* by address: names are interned */
        return (unsigned)(((uintptr_t)name >> 4) * 0x9E3779B1u) >> (32 - SF_SLOT_BITS);
    }

    static inline PyObject *sf_lookup(sf_attrs *table, PyObject *o, PyObject *name) {
        sf_attr *a;
        unsigned i;
        if (Py_TYPE(o) == table->type) {  /* not a subclass, which may override */
            for (i = sf_slot(name);; i = (i + 1) & ((1u << SF_SLOT_BITS) - 1)) {
                a = &table->slots[i];
                if (a->name == name) {
                    if (a->get == NULL) {
                        Py_INCREF(a->value);
                        return a->value;
                    }
                    return a->get(o, a->closure);
                }
                if (a->name == NULL) break;
            }
        }
        return PyObject_GenericGetAttr(o, name);
    }

    /* One tp_getattro per table, so that a lookup goes straight to its type's names. */
    #define SF_GETATTRO(k) \
        static PyObject *sf_getattro_##k(PyObject *o, PyObject *n) { \
            return sf_lookup(&sf_fast_attrs[k], o, n); \
        }
    SF_GETATTRO(0) SF_GETATTRO(1) SF_GETATTRO(2) SF_GETATTRO(3)
    SF_GETATTRO(4) SF_GETATTRO(5) SF_GETATTRO(6) SF_GETATTRO(7)
    static getattrofunc sf_getattros[SF_MAX_TYPES] = {
        sf_getattro_0, sf_getattro_1, sf_getattro_2, sf_getattro_3,
        sf_getattro_4, sf_getattro_5, sf_getattro_6, sf_getattro_7,
    };

    static int sf_fast_getattr(PyTypeObject *t, PyObject *names) {
        Py_ssize_t i, n = PyTuple_GET_SIZE(names);
        sf_attrs *table;
        if (n > SF_MAX_ATTRS || sf_fast_types >= SF_MAX_TYPES) {
            PyErr_SetString(PyExc_ValueError, "fast_getattr: table full");
            return -1;
        }
        table = &sf_fast_attrs[sf_fast_types];
        memset(table, 0, sizeof(*table));
        for (i = 0; i < n; i++) {
            PyObject *name = PyTuple_GET_ITEM(names, i), *d;
            sf_attr *a;
            unsigned h;
            if (!PyUnicode_CheckExact(name)) {
                PyErr_SetString(PyExc_TypeError, "fast_getattr: names are str");
                return -1;
            }
            Py_INCREF(name);
            PyUnicode_InternInPlace(&name);  /* the names in code objects are interned */
            d = _PyType_Lookup(t, name);
            if (d == NULL) {
                Py_DECREF(name);
                PyErr_SetObject(PyExc_AttributeError, name);
                return -1;
            }
            for (h = sf_slot(name); table->slots[h].name != NULL;
                 h = (h + 1) & ((1u << SF_SLOT_BITS) - 1)) {}
            a = &table->slots[h];
            a->name = name;  /* kept for the life of the process */
            if (Py_IS_TYPE(d, &PyGetSetDescr_Type)) {
                a->get = ((PyGetSetDescrObject *)d)->d_getset->get;
                a->closure = ((PyGetSetDescrObject *)d)->d_getset->closure;
            } else if (Py_TYPE(d)->tp_descr_get == NULL) {  /* a plain class attribute */
                Py_INCREF(d);
                a->value = d;
            } else {
                PyErr_Format(PyExc_TypeError, "fast_getattr: %R is neither a getset "
                             "descriptor nor a plain class attribute", name);
                return -1;
            }
        }
        table->type = t;
        t->tp_getattro = sf_getattros[sf_fast_types++];
        PyType_Modified(t);
        return 0;
    }
    """
    int fast_getattr "sf_fast_getattr" (type t, tuple names) except -1
