import { explainMatch } from './explain-match.js';
import { defineExtensionOperations } from './operation.js';
import { whoIsInImage } from './who-is-in-image.js';

/** "Who is in this photo" and "explain a match" (`FacekitService.WhoIsInImage`, `.ExplainMatch`). */
export const identificationHandlers = defineExtensionOperations({ whoIsInImage, explainMatch });
