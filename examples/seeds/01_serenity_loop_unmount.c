/* 01_serenity_loop_unmount.c — SerenityOS: after a FAT32 image mounted
 * through a loop device is unmounted, the system refuses to shut down with
 * "VFSRootContext: Refuse to unref filesystem with in-use inodes".
 *
 * The bug: FATFS's unmount path never calls
 * remove_disk_cache_before_last_unmount().  A block-based file system's
 * DiskCache holds a reference to its file system (it writes dirty blocks
 * back through it), so the FATFS never dies, nor what it holds: the
 * OpenFileDescription of /dev/loop0, the LoopDevice and the image's Inode,
 * which keeps the root file system busy.
 *
 * The model: a host file system over a real temp dir, an Inode per real
 * file, a LoopDevice over the 128 MiB sparse image, an OpenFileDescription
 * of the device, a FATFS reading its boot sector through a DiskCache, and a
 * VFSRootContext.  --bug skips the disk-cache removal.
 *
 * lifeguard should report, with --bug only:
 *   still-alive  the FATFS at shutdown; holder the DiskCache, its reference
 *                taken in disk_cache_create (from block_fs_initialize)
 *   ref-cycle    at exit: FATFS -> DiskCache -> FATFS, the same reference,
 *                keeping the description, loop0 and the image's inode alive
 *   ref-leak     at exit: the VFSRootContext that refused to shut down
 * and nothing in the fixed mode. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <limits.h>

#include "seeds.h"

#define IMAGE_BYTES (128u << 20)
#define SECTOR 512u

struct host_fs { int refs; char dir[PATH_MAX]; struct inode *inodes[4]; int ninodes; };
struct inode { int refs; struct host_fs *fs; int fd; char name[64]; };
struct loop_device { int refs; int index; struct inode *backing; };
struct open_file_description { int refs; struct loop_device *file; };
struct disk_cache { struct fatfs *fs; uint64_t block[2]; unsigned char data[2][SECTOR]; bool dirty[2]; };
struct fatfs { int refs; struct open_file_description *desc; struct disk_cache *cache; char label[12]; };
struct vfs_root_context { struct host_fs *root; struct fatfs *mnt; };

static bool bug;

/* ---- reference counting, mirrored to lifeguard ---- */
static void inode_put(struct inode *in, const void *holder)
{
    lg_ref_put(in, holder);
    if (--in->refs) return;
    close(in->fd);
    free(in);
}
static void loop_put(struct loop_device *loop, const void *holder)
{
    lg_ref_put(loop, holder);
    if (--loop->refs) return;
    say("loop%d: detached from %s", loop->index, loop->backing->name);
    inode_put(loop->backing, loop);
    free(loop);
}
static void desc_put(struct open_file_description *d, const void *holder)
{
    lg_ref_put(d, holder);
    if (--d->refs) return;
    loop_put(d->file, d);
    free(d);
}
static void fatfs_get(struct fatfs *fs, const void *holder) { fs->refs++; lg_ref_get(fs, holder); }
static void fatfs_put(struct fatfs *fs, const void *holder)
{
    lg_ref_put(fs, holder);
    if (--fs->refs) return;
    say("FATFS '%s': destroyed, closing its device", fs->label);
    desc_put(fs->desc, fs);
    free(fs);
}

/* ---- the host file system: the root, over a real directory ---- */
static struct inode *host_create_file(struct host_fs *fs, const char *name)
{
    struct inode *in = calloc(1, sizeof(*in));
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", fs->dir, name);
    snprintf(in->name, sizeof(in->name), "%s", name);
    in->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (in->fd < 0) { perror(path); exit(2); }
    in->fs = fs;
    in->refs = 1;
    seed_object_new(in, "Inode", fs); /* the fs's inode table keeps it */
    fs->inodes[fs->ninodes++] = in;
    return in;
}

static bool host_inodes_in_use(struct host_fs *fs)
{
    for (int i = 0; i < fs->ninodes; i++)
        if (fs->inodes[i]->refs > 1) return true;
    return false;
}

/* ---- the block path: description -> loop device -> inode -> image ---- */
static void desc_io(struct open_file_description *d, uint64_t sector, void *buf, bool write)
{
    int fd = d->file->backing->fd;
    ssize_t n = write ? pwrite(fd, buf, SECTOR, (off_t)(sector * SECTOR)) : pread(fd, buf, SECTOR, (off_t)(sector * SECTOR));
    if (n != SECTOR) { perror("loop I/O"); exit(2); }
}

/* The cache writes back through its file system, so it holds a reference
 * to it: a cycle the last unmount must break. */
static NOINLINE struct disk_cache *disk_cache_create(struct fatfs *fs)
{
    struct disk_cache *c = calloc(1, sizeof(*c));
    seed_object_new(c, "DiskCache", fs); /* owned by the file system */
    c->fs = fs;
    fatfs_get(fs, c);
    return c;
}

static unsigned char *cache_block(struct disk_cache *c, uint64_t sector)
{
    int slot = (int)(sector & 1);
    if (c->block[slot] != sector + 1) {
        desc_io(c->fs->desc, sector, c->data[slot], false);
        c->block[slot] = sector + 1; /* 0 marks an empty slot */
    }
    return c->data[slot];
}

static void cache_flush(struct disk_cache *c)
{
    for (int s = 0; s < 2; s++)
        if (c->dirty[s]) { desc_io(c->fs->desc, c->block[s] - 1, c->data[s], true); c->dirty[s] = false; }
}

static NOINLINE void remove_disk_cache_before_last_unmount(struct fatfs *fs)
{
    struct disk_cache *c = fs->cache;
    cache_flush(c);
    fs->cache = NULL;
    fatfs_put(fs, c); /* c's reference: not the last, the mount holds one */
    lg_ref_put(c, fs);
    free(c);
}

static NOINLINE void block_fs_initialize(struct fatfs *fs) { fs->cache = disk_cache_create(fs); }

static NOINLINE struct fatfs *fatfs_create(struct open_file_description *d)
{
    struct fatfs *fs = calloc(1, sizeof(*fs));
    fs->refs = 1;
    lg_object_new(fs, "FATFS");
    fs->desc = d;
    d->refs++;
    lg_ref_get(d, fs);
    block_fs_initialize(fs);
    const unsigned char *bs = cache_block(fs->cache, 0);
    if (bs[510] != 0x55 || bs[511] != 0xAA || memcmp(bs + 82, "FAT32   ", 8) != 0) {
        say("FATFS: no FAT32 boot sector on loop%d", d->file->index);
        exit(2);
    }
    memcpy(fs->label, bs + 71, 11);
    for (int i = 10; i >= 0 && fs->label[i] == ' '; i--) fs->label[i] = '\0';
    unsigned char *fsinfo = cache_block(fs->cache, 1);
    memcpy(fsinfo + 492, "\3\0\0\0", 4); /* next-free hint: dirties the FSInfo sector */
    fs->cache->dirty[1] = true;
    say("FATFS: boot sector ok (0x55AA, \"FAT32   \"), label '%s'", fs->label);
    return fs;
}

static NOINLINE void fatfs_prepare_to_unmount(struct fatfs *fs)
{
    cache_flush(fs->cache);
    if (!bug) remove_disk_cache_before_last_unmount(fs);
}

/* ---- mkfs.fat -F 32: boot sector and FSInfo, straight to the file ---- */
static void mkfs_fat32(struct inode *img)
{
    unsigned char bs[SECTOR] = {0xEB, 0x58, 0x90, 'L', 'I', 'F', 'E', 'G', 'R', 'D', ' '};
    uint32_t total = IMAGE_BYTES / SECTOR, reserved = 32, fat = (total - reserved) / (8 * 128 + 2) + 1;
    const uint32_t fields[][3] = { /* offset, width, value */
        {11, 2, SECTOR}, {13, 1, 8}, {14, 2, reserved}, {16, 1, 2}, {21, 1, 0xF8}, {24, 2, 32}, {26, 2, 64},
        {32, 4, total}, {36, 4, fat}, {44, 4, 2}, {48, 2, 1}, {50, 2, 6}, {64, 1, 0x80}, {66, 1, 0x29},
        {67, 4, 0x1f0e5eed},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        for (uint32_t b = 0; b < fields[i][1]; b++) bs[fields[i][0] + b] = (unsigned char)(fields[i][2] >> (8 * b));
    memcpy(bs + 71, "LIFEGUARD  FAT32   ", 19);
    bs[510] = 0x55, bs[511] = 0xAA;
    unsigned char info[SECTOR] = {'R', 'R', 'a', 'A'};
    memcpy(info + 484, "rrAA\xff\xff\xff\xff\xff\xff\xff\xff", 12);
    info[510] = 0x55, info[511] = 0xAA;
    if (pwrite(img->fd, bs, SECTOR, 0) != SECTOR || pwrite(img->fd, info, SECTOR, SECTOR) != SECTOR) {
        perror("mkfs");
        exit(2);
    }
}

/* ---- mount, umount, shutdown ---- */
static NOINLINE void vfs_mount_image(struct vfs_root_context *ctx, struct inode *img)
{
    struct loop_device *loop = calloc(1, sizeof(*loop));
    loop->refs = 1;
    lg_object_new(loop, "LoopDevice");
    loop->backing = img;
    img->refs++;
    lg_ref_get(img, loop);
    say("loop0: attached to %s", img->name);

    struct open_file_description *d = calloc(1, sizeof(*d));
    d->refs = 1;
    seed_object_new(d, "OpenFileDescription", NULL);
    d->file = loop;
    loop->refs++;
    lg_ref_get(loop, d);
    loop_put(loop, NULL); /* only the open description keeps the device */

    struct fatfs *fs = fatfs_create(d);
    desc_put(d, NULL); /* the file system keeps the description */
    ctx->mnt = fs;
    fatfs_get(fs, ctx);
    fatfs_put(fs, NULL);
    say("mount: /mnt is '%s' via loop0", fs->label);
}

static NOINLINE void vfs_unmount(struct vfs_root_context *ctx)
{
    struct fatfs *fs = ctx->mnt;
    fatfs_prepare_to_unmount(fs);
    ctx->mnt = NULL;
    fatfs_put(fs, ctx);
    say("umount: /mnt unmounted");
}

static NOINLINE bool vfs_root_context_shutdown(struct vfs_root_context *ctx)
{
    struct host_fs *root = ctx->root;
    if (host_inodes_in_use(root)) {
        say("VFSRootContext: Refuse to unref filesystem with in-use inodes");
        return false;
    }
    for (int i = 0; i < root->ninodes; i++) inode_put(root->inodes[i], root);
    lg_ref_put(root, ctx);
    free(root);
    lg_ref_put(ctx, NULL);
    free(ctx);
    return true;
}

int main(int argc, char **argv)
{
    static const char *const known[] = {"--bug", NULL};
    if (!seed_args_ok(argc, argv, known)) return 2;
    bug = seed_flag(argc, argv, "--bug");
    say("serenity loop-unmount model (%s)", bug ? "bug: FATFS keeps its DiskCache" : "fixed");

    struct host_fs *root = calloc(1, sizeof(*root));
    snprintf(root->dir, sizeof(root->dir), "%s/lifeguard-seed01-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root->dir)) { perror("mkdtemp"); return 2; }
    char dir[PATH_MAX], image[PATH_MAX + 16];
    snprintf(dir, sizeof(dir), "%s", root->dir); /* the host's copy, for cleanup */
    snprintf(image, sizeof(image), "%s/fat.img", dir);
    struct vfs_root_context *ctx = calloc(1, sizeof(*ctx));
    lg_object_new(ctx, "VFSRootContext");
    root->refs = 1;
    seed_object_new(root, "HostFS", ctx);
    ctx->root = root;
    say("boot: root file system on %s", dir);

    struct inode *img = host_create_file(root, "fat.img");
    if (ftruncate(img->fd, IMAGE_BYTES) != 0) { perror("ftruncate"); return 2; }
    say("truncate -s 128M %s", image);
    mkfs_fat32(img);
    say("mkfs.fat -F 32 %s", image);

    vfs_mount_image(ctx, img);
    const void *fs = ctx->mnt;
    vfs_unmount(ctx);

    say("shutdown: unreferencing the root file system");
    lg_expect_freed(fs, "shutdown: the FATFS of /mnt was unmounted");
    bool down = vfs_root_context_shutdown(ctx);
    say(down ? "shutdown: complete" : "shutdown: refused, the machine keeps running");

    unlink(image);
    rmdir(dir);
    return 0;
}
