#define T_DIR     1   // directory
#define T_FILE    2   // regular file
#define T_DEVICE  3   // device node

struct stat {
  int dev;      // device of the file system
  uint ino;     // inode number
  short type;   // T_DIR, T_FILE or T_DEVICE
  short nlink;  // links to the file
  uint64 size;  // bytes
};
