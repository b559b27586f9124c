/* virtio block device (virtio 1.x, 5.2): request layout and feature bits, shared by the model
 * and guest drivers in sw/. */
#ifndef QVP_VIRTIO_BLK_H
#define QVP_VIRTIO_BLK_H

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_BLK_SECTOR_SIZE 512
#define VIRTIO_BLK_ID_BYTES 20

enum virtio_blk_feature { /* bit numbers */
	VIRTIO_BLK_F_SEG_MAX = 2,
	VIRTIO_BLK_F_RO = 5,
	VIRTIO_BLK_F_BLK_SIZE = 6,
	VIRTIO_BLK_F_FLUSH = 9,
};

enum virtio_blk_request_type {
	VIRTIO_BLK_T_IN = 0,
	VIRTIO_BLK_T_OUT = 1,
	VIRTIO_BLK_T_FLUSH = 4,
	VIRTIO_BLK_T_GET_ID = 8,
};

enum virtio_blk_status {
	VIRTIO_BLK_S_OK = 0,
	VIRTIO_BLK_S_IOERR = 1,
	VIRTIO_BLK_S_UNSUPP = 2,
};

enum virtio_blk_config { /* offsets in the configuration space */
	VIRTIO_BLK_CONFIG_CAPACITY = 0x00, /* 64-bit, in 512-byte sectors */
	VIRTIO_BLK_CONFIG_SIZE_MAX = 0x08,
	VIRTIO_BLK_CONFIG_SEG_MAX = 0x0c,
	VIRTIO_BLK_CONFIG_BLK_SIZE = 0x14,
};

#ifdef __cplusplus
}
#endif
#endif
