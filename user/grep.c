// grep PATTERN [FILE...]: print the lines that match PATTERN, a regular
// expression where '.' matches any character, 'x*' any number of x's
// (x may be '.'), a leading '^' anchors at the start of the line and a
// trailing '$' at its end. Every other character matches itself.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define MAXITEMS 128
#define ANY      -1   // item.c of '.'

// The compiled pattern: a sequence of items, each one character class
// matched once, or any number of times when star is set.
struct item {
  int c;      // the character, or ANY
  int star;
};

static struct item items[MAXITEMS];
static int nitems;
static int atstart;   // pattern began with '^'
static int atend;     // pattern ended with '$'

static void
compile(char *pat)
{
  int len = strlen(pat);

  if(*pat == '^'){
    atstart = 1;
    pat++;
    len--;
  }
  if(len > 0 && pat[len - 1] == '$'){
    atend = 1;
    pat[--len] = 0;
  }
  for(; *pat; pat++){
    // A '*' with nothing before it to repeat stands for itself.
    if(*pat == '*' && nitems > 0 && !items[nitems - 1].star){
      items[nitems - 1].star = 1;
      continue;
    }
    if(nitems == MAXITEMS){
      fprintf(2, "grep: pattern too long\n");
      exit(2);
    }
    items[nitems].c = *pat == '.' ? ANY : *pat;
    items[nitems++].star = 0;
  }
}

static int
matchone(struct item *it, char c)
{
  return c != 0 && (it->c == ANY || it->c == c);
}

// Do items it[0..n) match the text at s (reaching its end if atend)?
static int
matchhere(struct item *it, int n, char *s)
{
  if(n == 0)
    return !atend || *s == 0;
  if(!it->star)
    return matchone(it, *s) && matchhere(it + 1, n - 1, s + 1);
  // Try every number of repetitions, from none up to as many as there are.
  for(;;){
    if(matchhere(it + 1, n - 1, s))
      return 1;
    if(!matchone(it, *s))
      return 0;
    s++;
  }
}

static int
match(char *line)
{
  if(atstart)
    return matchhere(items, nitems, line);
  for(char *s = line;; s++){
    if(matchhere(items, nitems, s))
      return 1;
    if(*s == 0)
      return 0;
  }
}

static char buf[1024];
static int matched;

// Test the line at [p, p+n), which may end in a newline, and print it
// (with a newline) if it matches.
static void
testline(char *p, int n)
{
  int hasnl = n > 0 && p[n - 1] == '\n';
  char save = p[n - hasnl];

  p[n - hasnl] = 0;
  if(match(p)){
    matched = 1;
    p[n - hasnl] = '\n';
    write(1, p, n - hasnl + 1);
  }
  p[n - hasnl] = save;
}

// Lines longer than the buffer are tested in buffer-sized pieces.
static void
grep(int fd, char *name)
{
  int len = 0, n;

  while((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0){
    len += n;
    buf[len] = 0;
    char *p = buf, *q;
    while((q = strchr(p, '\n')) != 0){
      testline(p, q + 1 - p);
      p = q + 1;
    }
    len -= p - buf;
    memmove(buf, p, len);
    if(len == sizeof(buf) - 1){
      testline(buf, len);
      len = 0;
    }
  }
  if(n < 0){
    fprintf(2, "grep: read error on %s\n", name);
    exit(2);
  }
  if(len > 0)
    testline(buf, len);
}

int
main(int argc, char *argv[])
{
  if(argc < 2){
    fprintf(2, "usage: grep PATTERN [FILE...]\n");
    return 2;
  }
  compile(argv[1]);
  if(argc < 3){
    grep(0, "standard input");
  } else {
    for(int i = 2; i < argc; i++){
      int fd = open(argv[i], O_RDONLY);
      if(fd < 0){
        fprintf(2, "grep: cannot open %s\n", argv[i]);
        return 2;
      }
      grep(fd, argv[i]);
      close(fd);
    }
  }
  return matched ? 0 : 1;
}
