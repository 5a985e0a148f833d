/* The Dockerfile syntax tree shared by the parser (dockerfile.c), the RUN shell splitter
 * (shell.c) and the rules (rules_dockerfile.c). Everything lives in one arena per file. */
#ifndef DD_LINT_DOCKERFILE_INT_H
#define DD_LINT_DOCKERFILE_INT_H

#include "lint/lint_int.h"

/* Limits against hostile input: a real Dockerfile is far below all of them. */
#define DD_DF_MAX_BYTES        (16u << 20) /* whole file */
#define DD_DF_MAX_LINE         (1u << 20)  /* one physical line */
#define DD_DF_MAX_INSTRUCTIONS 100000u
#define DD_DF_MAX_HEREDOCS     16u /* per instruction */
/* Bytes that variable expansion may produce in one file: `ENV V2=${V1}${V1}` chains grow
 * values geometrically. Past it, references stay unexpanded (unresolved). */
#define DD_DF_MAX_EXPANSION    (16u << 20)

typedef enum {
    DD_DF_UNKNOWN = 0,
    DD_DF_ADD,
    DD_DF_ARG,
    DD_DF_CMD,
    DD_DF_COPY,
    DD_DF_ENTRYPOINT,
    DD_DF_ENV,
    DD_DF_EXPOSE,
    DD_DF_FROM,
    DD_DF_HEALTHCHECK,
    DD_DF_LABEL,
    DD_DF_MAINTAINER,
    DD_DF_ONBUILD,
    DD_DF_RUN,
    DD_DF_SHELL,
    DD_DF_STOPSIGNAL,
    DD_DF_USER,
    DD_DF_VOLUME,
    DD_DF_WORKDIR,
} dd_df_op;

/* A word of the arguments: quotes removed and, outside RUN/CMD/ENTRYPOINT/SHELL, variables
 * expanded. `raw` is the text as written. */
typedef struct {
    char *s;
    char *raw;
    uint32_t line, col;
} dd_df_word;

/* `--name=value` (value NULL for a bare `--name`). */
typedef struct {
    char *name;
    char *value;
    uint32_t line, col;
} dd_df_flag;

typedef struct {
    char *marker;
    char *body; /* the lines between the opener and the marker, "\n"-terminated */
    uint32_t line; /* line of the `<<` */
    bool strip_tabs, quoted, is_script; /* is_script: the body is the RUN's shell script */
} dd_df_heredoc;

/* ENV/ARG/LABEL pair. `value` is expanded; `raw_value` as written. */
typedef struct {
    char *key;
    char *value;
    char *raw_value;
    bool has_value;
    uint32_t line, col;
} dd_df_kv;

typedef struct dd_df_inst dd_df_inst;
struct dd_df_inst {
    dd_df_op op;
    const char *name; /* canonical upper-case keyword */
    uint32_t line, col, end_line;
    int stage; /* index into dd_df.stages, -1 before the first FROM */
    dd_df_flag *flags;
    size_t n_flags;
    char *args;      /* arguments after the flags, continuation lines joined, comments removed */
    uint32_t args_line, args_col;
    bool json;       /* exec (JSON array) form; then `words` is the array */
    dd_df_word *words;
    size_t n_words;
    dd_df_kv *kvs;
    size_t n_kvs;
    dd_df_heredoc *heredocs;
    size_t n_heredocs;
    dd_df_inst *trigger; /* ONBUILD's instruction */
};

typedef struct {
    char *name;      /* AS name, lower-cased; NULL when unnamed */
    char *image;     /* base after ARG expansion */
    char *raw_image; /* base as written */
    char *platform;  /* --platform value or NULL */
    uint32_t line, col;
    size_t first, last; /* instruction indexes: the FROM and the stage's last instruction */
    int base_stage;     /* index of the stage it builds on, -1 for an image */
    bool unresolved;    /* the image still holds a variable after expansion */
} dd_df_stage;

typedef struct {
    dd_arena *arena;
    const char *path;
    char escape;
    char *syntax; /* # syntax= directive or NULL */
    dd_df_inst *insts;
    size_t n;
    dd_df_stage *stages;
    size_t n_stages;
    dd_lint__suppression *sups;
    size_t n_sups;
    size_t n_pragmas;   /* inline ignore pragmas seen (DD-BLD-033) */
    uint32_t *pragma_lines;
} dd_df;

/* Parses `data` into `df` (allocated from `a`). DD_EINVALID / DD_ELIMIT with
 * "PATH:LINE: message" and *err_line set on unusable input. */
int dd_df__parse(dd_df *df, dd_arena *a, const char *path, const char *data, size_t len,
                 uint32_t *err_line);

/* --- RUN shell text split into simple commands (shell.c) --- */

typedef struct {
    char **argv;   /* words with quotes removed; assignments and `sudo`/`env` wrappers kept */
    size_t argc;
    size_t cmd0;   /* index of the command name after VAR=x prefixes and wrappers */
    bool sudo;     /* run through sudo */
    bool piped_in; /* stdin comes from the previous command of a pipeline */
    bool piped_out;
    int pipeline;  /* commands of one pipeline share this number */
} dd_sh_cmd;

typedef struct {
    dd_sh_cmd *cmds;
    size_t n;
    bool has_pipe;
} dd_sh_script;

/* Splits shell text at &&, ||, ;, |, &, newlines, ( ) { } and $( ) / backquotes, so that a
 * rule sees every simple command. Never fails on odd input (unbalanced quotes end the word). */
int dd_sh__split(dd_sh_script *out, dd_arena *a, const char *text, size_t len);

/* Sets c->cmd0 and c->sudo from c->argv (skipping VAR=x, sudo, env, exec, nohup...). */
void dd_sh__resolve(dd_sh_cmd *c);

/* Appends the commands of `text` to `out`. */
int dd_sh__split_append(dd_sh_script *out, dd_arena *a, const char *text, size_t len);

#endif
