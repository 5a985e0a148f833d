/* Splits the shell text of RUN into simple commands so rules find `apt-get install` wherever
 * it stands: after &&, ||, ;, |, inside ( ), { }, $( ) and backquotes. A lexer, not a shell:
 * it never evaluates anything, and odd input only ends a word early. */
#include "lint/dockerfile_int.h"

#include <string.h>

#define SH_MAX_NEST 64

typedef struct {
    char **argv;
    size_t argc, alloc;
} words;

typedef struct {
    dd_sh_script *out;
    dd_arena *a;
    size_t a_cmds;
    words stack[SH_MAX_NEST];
    bool subst[SH_MAX_NEST]; /* the level is a $( ) or `` substitution, not a ( ) subshell */
    int depth;
    dd_buf w;
    bool in_word;
    bool pipe_pending;
    int pipeline;
} lexer;

static int push_word(lexer *lx)
{
    words *cw = &lx->stack[lx->depth];
    char *s;

    if (!lx->in_word)
        return DD_OK;
    lx->in_word = false;
    if (cw->argc == cw->alloc) {
        size_t na = cw->alloc ? cw->alloc * 2 : 8;
        char **nv = dd_arena_alloc(lx->a, na * sizeof(char *));

        if (!nv)
            return DD_ENOMEM;
        if (cw->argc)
            memcpy(nv, cw->argv, cw->argc * sizeof(char *));
        cw->argv = nv;
        cw->alloc = na;
    }
    s = dd_arena_strndup(lx->a, lx->w.data, lx->w.len);
    if (!s)
        return DD_ENOMEM;
    cw->argv[cw->argc++] = s;
    dd_buf_clear(&lx->w);
    return DD_OK;
}

static bool is_assignment(const char *s)
{
    const char *p = s;

    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_'))
        return false;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
           *p == '_')
        p++;
    return *p == '=';
}

void dd_sh__resolve(dd_sh_cmd *c)
{
    size_t i = 0;

    /* the command name comes after VAR=x prefixes and wrappers such as sudo or env */
    for (;;) {
        while (i < c->argc && is_assignment(c->argv[i]))
            i++;
        if (i < c->argc && (strcmp(c->argv[i], "sudo") == 0 || strcmp(c->argv[i], "doas") == 0)) {
            c->sudo = true;
            i++;
            while (i < c->argc && c->argv[i][0] == '-') {
                const char *f = c->argv[i];

                i += (strcmp(f, "-u") == 0 || strcmp(f, "-g") == 0) ? 2 : 1;
            }
            continue;
        }
        if (i < c->argc && (strcmp(c->argv[i], "env") == 0 || strcmp(c->argv[i], "nohup") == 0 ||
                            strcmp(c->argv[i], "exec") == 0 || strcmp(c->argv[i], "time") == 0 ||
                            strcmp(c->argv[i], "command") == 0 || strcmp(c->argv[i], "nice") == 0)) {
            i++;
            while (i < c->argc && c->argv[i][0] == '-')
                i++;
            continue;
        }
        break;
    }
    c->cmd0 = i < c->argc ? i : c->argc;
}

/* Ends the command being built; `piped` when a `|` follows it. */
static int end_command(lexer *lx, bool piped)
{
    words *cw = &lx->stack[lx->depth];
    dd_sh_script *o = lx->out;
    dd_sh_cmd *c;

    if (push_word(lx) != DD_OK)
        return DD_ENOMEM;
    if (cw->argc == 0) {
        /* `( ... ) | x`: the compound command before the pipe was already emitted */
        lx->pipe_pending = piped;
        if (piped)
            o->has_pipe = true;
        return DD_OK;
    }
    if (o->n == lx->a_cmds) {
        size_t na = lx->a_cmds ? lx->a_cmds * 2 : 8;
        dd_sh_cmd *nc = dd_arena_alloc(lx->a, na * sizeof(*nc));

        if (!nc)
            return DD_ENOMEM;
        if (o->n)
            memcpy(nc, o->cmds, o->n * sizeof(*nc));
        o->cmds = nc;
        lx->a_cmds = na;
    }
    c = &o->cmds[o->n++];
    memset(c, 0, sizeof(*c));
    c->argv = cw->argv;
    c->argc = cw->argc;
    c->piped_in = lx->pipe_pending;
    c->piped_out = piped;
    c->pipeline = lx->pipeline;
    dd_sh__resolve(c);
    if (piped)
        o->has_pipe = true;
    cw->argv = NULL;
    cw->argc = cw->alloc = 0;
    lx->pipe_pending = piped;
    if (!piped)
        lx->pipeline++;
    return DD_OK;
}

static int open_sub(lexer *lx, bool subst)
{
    if (push_word(lx) != DD_OK)
        return DD_ENOMEM;
    if (lx->depth + 1 >= SH_MAX_NEST)
        return DD_OK;
    lx->depth++;
    lx->subst[lx->depth] = subst;
    memset(&lx->stack[lx->depth], 0, sizeof(words));
    lx->pipe_pending = false;
    return DD_OK;
}

static int close_sub(lexer *lx)
{
    if (end_command(lx, false) != DD_OK)
        return DD_ENOMEM;
    if (lx->depth == 0)
        return DD_OK;
    if (!lx->subst[lx->depth--])
        return DD_OK;
    /* the substitution stands as one word of the outer command */
    lx->in_word = true;
    return dd_buf_puts(&lx->w, "$(...)") == DD_OK ? DD_OK : DD_ENOMEM;
}

int dd_sh__split_append(dd_sh_script *out, dd_arena *a, const char *s, size_t n)
{
    lexer lx;
    char q = 0;
    bool backq = false;
    int rc = DD_OK;

    memset(&lx, 0, sizeof(lx));
    lx.out = out;
    lx.a = a;
    lx.a_cmds = out->n; /* a full vector grows on the next push */
    lx.w = (dd_buf)DD_BUF_INIT;
    lx.pipeline = out->n ? out->cmds[out->n - 1].pipeline + 1 : 0;
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        char c = s[i];

        if (q == '\'') {
            if (c == '\'')
                q = 0;
            else
                rc = dd_buf_putc(&lx.w, c);
            continue;
        }
        if (q == '"') {
            if (c == '"')
                q = 0;
            else if (c == '\\' && i + 1 < n &&
                     (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$'))
                rc = dd_buf_putc(&lx.w, s[++i]);
            else
                rc = dd_buf_putc(&lx.w, c);
            continue;
        }
        switch (c) {
        case '\'':
        case '"':
            q = c;
            lx.in_word = true;
            break;
        case '\\':
            if (i + 1 < n && s[i + 1] == '\n') {
                i++;
                rc = push_word(&lx);
            } else if (i + 1 < n) {
                lx.in_word = true;
                rc = dd_buf_putc(&lx.w, s[++i]);
            }
            break;
        case ' ':
        case '\t':
        case '\r':
            rc = push_word(&lx);
            break;
        case '\n':
        case ';':
            rc = end_command(&lx, false);
            if (c == ';' && i + 1 < n && s[i + 1] == ';')
                i++;
            break;
        case '&':
            if (i + 1 < n && s[i + 1] == '&')
                i++;
            else if (i + 1 < n && s[i + 1] == '>') {
                /* &> file */
                rc = push_word(&lx);
                i++;
                goto redirect_target;
            }
            rc = end_command(&lx, false);
            break;
        case '|':
            if (i + 1 < n && s[i + 1] == '|') {
                i++;
                rc = end_command(&lx, false);
            } else {
                if (i + 1 < n && s[i + 1] == '&')
                    i++;
                rc = end_command(&lx, true);
            }
            break;
        case '(':
            if (lx.in_word && lx.w.len && lx.w.data[lx.w.len - 1] == '$') {
                lx.w.len--;
                lx.w.data[lx.w.len] = '\0';
                if (i + 1 < n && s[i + 1] == '(') {
                    /* $(( arithmetic )): skip to the closing )) */
                    int nest = 0;

                    for (; i < n; i++) {
                        if (s[i] == '(')
                            nest++;
                        else if (s[i] == ')' && --nest == 0)
                            break;
                    }
                    rc = dd_buf_puts(&lx.w, "$((...))");
                    break;
                }
                rc = open_sub(&lx, true);
            } else {
                rc = end_command(&lx, false);
                if (rc == DD_OK)
                    rc = open_sub(&lx, false);
            }
            break;
        case ')':
            rc = close_sub(&lx);
            break;
        case '`':
            if (!backq) {
                backq = true;
                rc = open_sub(&lx, true);
            } else {
                backq = false;
                rc = close_sub(&lx);
            }
            break;
        case '{':
        case '}':
            if (!lx.in_word && (i + 1 >= n || s[i + 1] == ' ' || s[i + 1] == '\n' ||
                                s[i + 1] == ';' || c == '}'))
                rc = end_command(&lx, false);
            else if (c == '{' && lx.in_word && lx.w.len && lx.w.data[lx.w.len - 1] == '$') {
                /* ${...}: copied whole */
                size_t j = i;

                while (j < n && s[j] != '}')
                    j++;
                rc = dd_buf_put(&lx.w, s + i, (j < n ? j + 1 : n) - i);
                i = j < n ? j : n - 1;
            } else {
                lx.in_word = true;
                rc = dd_buf_putc(&lx.w, c);
            }
            break;
        case '#':
            if (!lx.in_word) {
                while (i + 1 < n && s[i + 1] != '\n')
                    i++;
                break;
            }
            lx.in_word = true;
            rc = dd_buf_putc(&lx.w, c);
            break;
        case '>':
        case '<': {
            /* a redirection: drop the fd number, the operator and its target */
            bool digits = lx.in_word && lx.w.len > 0;

            for (size_t k = 0; k < lx.w.len; k++)
                if (lx.w.data[k] < '0' || lx.w.data[k] > '9')
                    digits = false;
            if (digits) {
                dd_buf_clear(&lx.w);
                lx.in_word = false;
            } else {
                rc = push_word(&lx);
            }
            while (i + 1 < n && (s[i + 1] == '>' || s[i + 1] == '<' || s[i + 1] == '|'))
                i++;
            if (i + 1 < n && s[i + 1] == '&') {
                i++;
                while (i + 1 < n && ((s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '-'))
                    i++;
                break;
            }
        redirect_target:
            while (i + 1 < n && (s[i + 1] == ' ' || s[i + 1] == '\t'))
                i++;
            {
                char tq = 0;

                while (i + 1 < n) {
                    char t = s[i + 1];

                    if (!tq && (t == ' ' || t == '\t' || t == '\n' || t == ';' || t == '&' ||
                                t == '|' || t == ')'))
                        break;
                    if (!tq && (t == '"' || t == '\''))
                        tq = t;
                    else if (tq && t == tq)
                        tq = 0;
                    i++;
                }
            }
            break;
        }
        default:
            lx.in_word = true;
            rc = dd_buf_putc(&lx.w, c);
            break;
        }
    }
    if (rc == DD_OK)
        rc = end_command(&lx, false);
    while (rc == DD_OK && lx.depth > 0) {
        lx.depth--;
        rc = end_command(&lx, false);
    }
    dd_buf_dispose(&lx.w);
    return rc == DD_OK ? DD_OK : dd_error_set(DD_ENOMEM, "out of memory");
}

int dd_sh__split(dd_sh_script *out, dd_arena *a, const char *text, size_t len)
{
    memset(out, 0, sizeof(*out));
    return dd_sh__split_append(out, a, text, len);
}
