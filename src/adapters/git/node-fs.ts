import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errorCode } from '../fs/errno.js';

let sequence = 0;

function temporaryNameFor(file: string): string {
  const dir = path.dirname(file);
  const unique = `${process.pid}_${(sequence++).toString(36)}_${randomBytes(4).toString('hex')}`;
  // git's own temp-file names, so `git gc` cleans up after a crash; in ref
  // folders a leading dot keeps git from ever reading the file as a ref.
  const prefix = dir.split(path.sep).includes('objects') ? 'tmp_obj_' : '.tmp_';
  return path.join(dir, `${prefix}${unique}`);
}

/**
 * Write a file so that readers (this process, `git`, other replicas) see
 * either nothing or all of it: isomorphic-git writes loose objects, packs and
 * refs in place, and a crash halfway would leave a corrupt object that is
 * never rewritten because it "exists".
 */
export async function writeFileAtomically(file: string, data: string | Uint8Array, options?: Parameters<typeof fsp.writeFile>[2]): Promise<void> {
  const temporary = temporaryNameFor(file);
  try {
    await fsp.writeFile(temporary, data, options).catch(async (error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await fsp.writeFile(temporary, data, options);
    });
    await fsp.rename(temporary, file);
  } catch (error) {
    await fsp.rm(temporary, { force: true });
    throw error;
  }
}

/** The file system client handed to every isomorphic-git call. */
export const gitFs = {
  promises: {
    readFile: fsp.readFile,
    writeFile: writeFileAtomically,
    unlink: fsp.unlink,
    readdir: fsp.readdir,
    mkdir: fsp.mkdir,
    rmdir: fsp.rmdir,
    stat: fsp.stat,
    lstat: fsp.lstat,
    readlink: fsp.readlink,
    symlink: fsp.symlink,
    chmod: fsp.chmod,
  },
};

export { errorCode };
