// sh: the shell.
//
// Each input line is split into tokens, parsed into a tree of nodes, then
// evaluated. Grammar (words are runs of characters other than blanks and
// the operators < > | ; & ( )):
//
//   list     := pipeline [ (';' | '&') [ list ] ]     '&' runs the pipeline in the background
//   pipeline := command [ '|' pipeline ]
//   command  := '(' list ')' { redir } | { WORD | redir }+
//   redir    := ('<' | '>') WORD
//
// Lists and background jobs are evaluated by the shell process itself, so
// the built-in `cd` works anywhere in a list ("mkdir d; cd d; ls"). Every
// other command runs in a child process; parentheses run their list in a
// child (a subshell), so a `cd` inside them does not affect the shell.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "user/user.h"

#define MAXLINE  256
#define MAXTOKS  (MAXLINE + 1)   // every token takes at least one character, plus END
#define MAXNODES (2 * MAXTOKS)   // each token makes at most two nodes ("a & b")
#define MAXDEPTH 8               // parentheses nested in parentheses

// ---------------------------------------------------------------- tokens

enum { WORD, END, LT = '<', GT = '>', BAR = '|', SEMI = ';', AMP = '&', LP = '(', RP = ')' };

struct token {
  int kind;     // WORD, END, or the operator character
  char *word;   // WORD: the text, 0-terminated
};

static const char blanks[] = " \t\r\n\v";
static const char operators[] = "<>|;&()";

static struct token toks[MAXTOKS];
static char words[2 * MAXLINE];   // the words' text, each 0-terminated

// Split line into toks, ending with an END token.
static void
tokenize(char *line)
{
  char *w = words;
  int n = 0;

  for(char *s = line;; ){
    while(*s && strchr(blanks, *s))
      s++;
    if(*s == 0)
      break;
    if(strchr(operators, *s)){
      toks[n++].kind = *s++;
      continue;
    }
    toks[n].kind = WORD;
    toks[n++].word = w;
    while(*s && !strchr(blanks, *s) && !strchr(operators, *s))
      *w++ = *s++;
    *w++ = 0;
  }
  toks[n].kind = END;
}

// ---------------------------------------------------------------- parse tree

enum { EXEC, REDIR, PIPE, LIST, BACK, GROUP };

struct node {
  int kind;
  union {
    char **argv;                   // EXEC: in argpool, 0-terminated
    struct {                       // REDIR: run cmd with fd opened on file
      struct node *cmd;
      char *file;
      int fd;
      int mode;
    } redir;
    struct {                       // PIPE, LIST: left, then right
      struct node *left;
      struct node *right;
    } pair;
    struct node *cmd;              // BACK, GROUP
  };
};

static struct node nodes[MAXNODES];
static int nnodes;
// The argv arrays of all EXEC nodes: words plus a terminating 0 each.
static char *argpool[MAXTOKS + MAXNODES];
static int nargs;

static int pos;        // next token to parse
static int depth;      // parentheses open at pos
static int parseerr;   // a syntax error has been reported for this line

static struct node *
newnode(int kind)
{
  // Cannot overflow: see MAXNODES.
  struct node *n = &nodes[nnodes++];

  memset(n, 0, sizeof(*n));
  n->kind = kind;
  return n;
}

static void
syntaxerror(void)
{
  struct token *t = &toks[pos];

  if(parseerr)
    return;
  parseerr = 1;
  if(t->kind == END)
    fprintf(2, "sh: syntax error at end of line\n");
  else if(t->kind == WORD)
    fprintf(2, "sh: syntax error near %s\n", t->word);
  else
    fprintf(2, "sh: syntax error near %c\n", t->kind);
}

static int
peek(void)
{
  return toks[pos].kind;
}

static struct node *parselist(void);

// Parse "< file" or "> file" at pos into a REDIR node around nothing yet.
static struct node *
parseredir(void)
{
  struct node *n = newnode(REDIR);
  int op = toks[pos++].kind;

  if(peek() != WORD){
    syntaxerror();
    return 0;
  }
  n->redir.file = toks[pos++].word;
  n->redir.fd = op == LT ? 0 : 1;
  n->redir.mode = op == LT ? O_RDONLY : O_WRONLY | O_CREATE | O_TRUNC;
  return n;
}

// Redirections apply left to right, so the first one is the outermost
// node: a later one on the same fd then wins, as in other shells.
static struct node *
parsecommand(void)
{
  struct node *top = 0, **hole = &top, *cmd;
  int argc = 0;

  if(peek() == LP){
    // The user stack is one page: bound the parser's (and eval's) recursion.
    if(depth == MAXDEPTH){
      fprintf(2, "sh: parentheses nested too deeply\n");
      parseerr = 1;
      return 0;
    }
    pos++;
    depth++;
    cmd = newnode(GROUP);
    if((cmd->cmd = parselist()) == 0)
      return 0;
    if(peek() != RP){
      syntaxerror();
      return 0;
    }
    pos++;
    depth--;
  } else {
    // A command's words are parsed with no other command in between, so
    // its argv can be taken from argpool in one contiguous run.
    cmd = newnode(EXEC);
    cmd->argv = &argpool[nargs];
  }
  for(;;){
    if(peek() == LT || peek() == GT){
      struct node *r = parseredir();
      if(r == 0)
        return 0;
      *hole = r;
      hole = &r->redir.cmd;
    } else if(peek() == WORD && cmd->kind == EXEC){
      if(argc == MAXARG){
        fprintf(2, "sh: too many arguments\n");
        parseerr = 1;
        return 0;
      }
      argpool[nargs++] = toks[pos++].word;
      argc++;
    } else {
      break;
    }
  }
  if(cmd->kind == EXEC){
    if(argc == 0){
      syntaxerror();
      return 0;
    }
    argpool[nargs++] = 0;
  }
  *hole = cmd;
  return top;
}

// Pipelines and lists are chains leaning right ("a | (b | c)"), built in
// a loop rather than by recursion, so long ones need no stack. *hole is
// where the next element goes.
static struct node **
chain(struct node **hole, int kind, struct node *left)
{
  struct node *n = newnode(kind);

  n->pair.left = left;
  *hole = n;
  return &n->pair.right;
}

static struct node *
parsepipeline(void)
{
  struct node *top, **hole = &top, *cmd;

  while((cmd = parsecommand()) != 0 && peek() == BAR){
    pos++;
    hole = chain(hole, PIPE, cmd);
  }
  *hole = cmd;
  return cmd ? top : 0;
}

static struct node *
parselist(void)
{
  struct node *top, **hole = &top, *job;

  for(;;){
    if((job = parsepipeline()) == 0)
      return 0;
    if(peek() == AMP){
      struct node *b = newnode(BACK);
      b->cmd = job;
      job = b;
    }
    if(peek() != SEMI && peek() != AMP)
      break;
    pos++;
    if(peek() == END || peek() == RP)
      break;
    hole = chain(hole, LIST, job);
  }
  *hole = job;
  return top;
}

// The tree of a whole line, or 0 if it is empty or wrong.
static struct node *
parse(char *line)
{
  tokenize(line);
  pos = 0;
  nnodes = 0;
  nargs = 0;
  depth = 0;
  parseerr = 0;
  if(peek() == END)
    return 0;
  struct node *n = parselist();
  if(n && peek() != END){
    syntaxerror();
    n = 0;
  }
  return n;
}

// ---------------------------------------------------------------- evaluation

static void eval(struct node *n);
static void run(struct node *n) __attribute__((noreturn));

// Run each command of pipeline n in a child of its own, with each one's
// standard output feeding the next one's standard input, and wait for all.
static void __attribute__((noreturn))
runpipeline(struct node *n)
{
  int p[2], status = 0;

  for(; n; n = n->kind == PIPE ? n->pair.right : 0){
    int last = n->kind != PIPE;
    if(!last && pipe(p) < 0){
      fprintf(2, "sh: pipe failed\n");
      status = 1;
      break;
    }
    int pid = fork();
    if(pid < 0){
      fprintf(2, "sh: fork failed\n");
      status = 1;
      break;
    }
    if(pid == 0){
      if(!last){
        close(1);
        dup(p[1]);
        close(p[0]);
        close(p[1]);
      }
      run(last ? n : n->pair.left);
    }
    if(!last){
      // The next command reads what this one writes.
      close(0);
      dup(p[0]);
      close(p[0]);
      close(p[1]);
    }
  }
  // Let go of the last pipe's read end: a writer whose reader is gone must
  // see an error, not wait for this process to read.
  close(0);
  while(wait(0) >= 0)
    ;
  exit(status);
}

// Run n in this process, which is a child of the shell; never returns.
static void
run(struct node *n)
{
  switch(n->kind){
  case EXEC: {
    char **argv = n->argv;
    exec(argv[0], argv);
    // Programs live in the root: find them from any directory.
    if(argv[0][0] != '/' && strlen(argv[0]) + 2 <= MAXPATH){
      char path[MAXPATH];
      path[0] = '/';
      strcpy(path + 1, argv[0]);
      exec(path, argv);
    }
    fprintf(2, "exec %s failed\n", argv[0]);
    exit(1);
  }
  case REDIR:
    // open returns the lowest free descriptor: the one just closed.
    close(n->redir.fd);
    if(open(n->redir.file, n->redir.mode) != n->redir.fd){
      fprintf(2, "sh: cannot open %s\n", n->redir.file);
      exit(1);
    }
    run(n->redir.cmd);
  case PIPE:
    runpipeline(n);
  default:
    eval(n->kind == GROUP ? n->cmd : n);
    exit(0);
  }
}

// Wait for child pid, reaping finished background jobs along the way.
static void
waitfor(int pid)
{
  int r;

  while((r = wait(0)) != pid && r >= 0)
    ;
}

static int
spawn(struct node *n)
{
  int pid = fork();

  if(pid == 0)
    run(n);
  if(pid < 0)
    fprintf(2, "sh: fork failed\n");
  return pid;
}

static void
cd(char **argv)
{
  char *dir = argv[1] ? argv[1] : "/";

  if(argv[1] && argv[2])
    fprintf(2, "cd: too many arguments\n");
  else if(chdir(dir) < 0)
    fprintf(2, "cd: cannot cd %s\n", dir);
}

// Evaluate n in this process: lists in order, background jobs without
// waiting, the built-in cd here, anything else in a child, waited for.
static void
eval(struct node *n)
{
  for(; n->kind == LIST; n = n->pair.right)
    eval(n->pair.left);
  switch(n->kind){
  case BACK:
    spawn(n->cmd);
    break;
  case EXEC:
    if(strcmp(n->argv[0], "cd") == 0){
      cd(n->argv);
      break;
    }
    // fall through
  default: {
    int pid = spawn(n);
    if(pid > 0)
      waitfor(pid);
  }
  }
}

// ---------------------------------------------------------------- input

// Read one line into buf, without its newline. Returns its length, or -1
// at end of input. A line that does not fit is discarded with a message.
static int
readline(char *buf, int size)
{
  int n = 0, toolong = 0;
  char c;

  for(;;){
    int r = read(0, &c, 1);
    if(r <= 0){
      if(n == 0 && !toolong)
        return -1;
      break;
    }
    if(c == '\n')
      break;
    if(n + 1 < size)
      buf[n++] = c;
    else
      toolong = 1;
  }
  buf[n] = 0;
  if(toolong){
    fprintf(2, "sh: line too long (at most %d characters)\n", size - 1);
    buf[0] = 0;
    return 0;
  }
  return n;
}

int
main(void)
{
  static char line[MAXLINE];
  struct stat st;
  int fd;

  // Make sure descriptors 0, 1 and 2 are open, so commands can rely on them.
  while((fd = open("console", O_RDWR)) >= 0){
    if(fd >= 3){
      close(fd);
      break;
    }
  }

  // Prompt only a person at the console, not a script read from a file.
  int interactive = fstat(0, &st) == 0 && st.type == T_DEVICE;

  for(;;){
    if(interactive)
      fprintf(2, "$ ");
    if(readline(line, sizeof(line)) < 0)
      exit(0);
    struct node *n = parse(line);
    if(n)
      eval(n);
  }
}
