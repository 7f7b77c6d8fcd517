import streamlit as st

from lib.ui.sidebar import dataset_picker

st.title("Label and one-hot encoding")
dataset_picker()
st.info("This lesson is being written.")
