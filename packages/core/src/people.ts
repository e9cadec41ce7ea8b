// `@facekit/core/people`: folders of people, the decisions shared by the CLI and the console.

export {
  type AssociablePhoto,
  type AssociateFacesAnswer,
  associatePersonFaces,
  type PersonFolder,
  type PersonFolderPhoto,
} from './people/associate-person-faces.js';
export {
  choosePersonFaces,
  type FaceLink,
  type FolderPhoto,
  type PhotoChoice,
} from './people/choose-person-faces.js';
export {
  type FolderFaceMatch,
  findPersonFaces,
  type PersonSkipReason,
  type PhotoSkip,
  skipOfChoice,
  skipOfUnindexed,
} from './people/find-person-faces.js';
export { toUserId } from './people/to-user-id.js';
