// The documents area's GraphQL operations (names prefixed "Documents" to stay unique app-wide).
import { graphql } from "../../gql";
import "../../lib/useJob"; // defines the JobFields fragment used below

export const DocumentFields = graphql(`
  fragment DocumentsDocumentFields on Document {
    id title filename mimeType sizeBytes pageCount chunkCount status error note tags
    createdAt updatedAt downloadUrl
    job { ...JobFields }
  }
`);

export const DocumentsList = graphql(`
  query DocumentsList($first: Int!, $after: String, $filter: DocumentFilter) {
    documents(first: $first, after: $after, filter: $filter) {
      edges { cursor node { ...DocumentsDocumentFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const DocumentsTags = graphql(`query DocumentsTags { tags { id name } }`);

export const DocumentsUpload = graphql(`
  mutation DocumentsUpload($file: Upload!, $title: String, $tags: [String!]) {
    uploadDocument(file: $file, title: $title, tags: $tags) { ...DocumentsDocumentFields }
  }
`);

export const DocumentsDetail = graphql(`
  query DocumentsDetail($id: ID!) {
    document(id: $id) {
      ...DocumentsDocumentFields
      sha256
      analysis { summary entities { name type } topics suggestedTags provider model analyzedAt }
    }
  }
`);

export const DocumentsUpdate = graphql(`
  mutation DocumentsUpdate($id: ID!, $title: String, $tags: [String!]) {
    updateDocument(id: $id, title: $title, tags: $tags) { id title tags updatedAt }
  }
`);

export const DocumentsDelete = graphql(`mutation DocumentsDelete($id: ID!) { deleteDocument(id: $id) }`);

export const DocumentsReindex = graphql(`mutation DocumentsReindex { reindexDocuments }`);

export const DocumentsAnalyze = graphql(`
  mutation DocumentsAnalyze($id: ID!) {
    analyzeDocument(id: $id) {
      id
      analysis { summary entities { name type } topics suggestedTags provider model analyzedAt }
    }
  }
`);

export const DocumentsSearch = graphql(`
  query DocumentsSearch($query: String!, $limit: Int!) {
    searchDocuments(query: $query, limit: $limit) {
      text page score byVector byKeyword document { id title mimeType }
    }
  }
`);

export const DocumentsAsk = graphql(`
  mutation DocumentsAsk($question: String!) {
    askDocuments(question: $question) {
      answer grounded provider model
      citations { page passage document { id title } }
    }
  }
`);
