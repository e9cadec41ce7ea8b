import type { Command } from '../command.js';
import { calibrationCommand } from './calibration.js';
import { archiveCommands } from './collection-archive.js';
import { collectionCommands } from './collections.js';
import { explainCommand } from './explain.js';
import { faceCommands } from './faces.js';
import { imageCommands } from './images.js';
import { indexCommand } from './index-images.js';
import { peopleCommands } from './people.js';
import { reindexCommand } from './reindex.js';
import { searchCommand } from './search-images.js';
import { tagCommands } from './tags.js';
import { userCommands } from './users.js';
import { videoCommands } from './video.js';
import { whoCommand } from './who.js';

/** Every API command, in the order `facekit --help` lists them. */
export const commands: readonly Command[] = [
  ...collectionCommands,
  ...archiveCommands,
  reindexCommand,
  indexCommand,
  imageCommands[0],
  searchCommand,
  whoCommand,
  explainCommand,
  ...imageCommands.slice(1),
  ...faceCommands,
  ...userCommands,
  ...tagCommands,
  ...peopleCommands,
  calibrationCommand,
  ...videoCommands,
];
